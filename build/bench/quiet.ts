// A benchmark on 2 cores measures nothing while a static-runtime build (hours of compiling) runs beside it.
// The measurements that need a quiet machine stop the detached builds for their duration (SIGSTOP: nothing
// is lost, ninja and the compilers carry on where they were after SIGCONT) and resume them however they end.
import { readdirSync, readFileSync } from 'node:fs';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { runningStaticBuild } from '../runtime/static/detached.ts';
import { procStat } from './proc.ts';

const ARCHES: Arch[] = ['x64', 'arm64'];

/** Processes of a session (the detached build is a session leader; ninja's compiles keep its session). */
export function sessionMembers(sid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(procStat(`/proc/${entry}/stat`)?.[3]) === sid)
    .map(Number);
}

/** The pid is still our build (a stale pid file could name an unrelated process by now). */
function isRuntimeBuild(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('build/runtime/static/cli.ts');
  } catch {
    return false;
  }
}

const signal = (pids: number[], sig: NodeJS.Signals) => {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // Exited meanwhile.
    }
  }
};

/**
 * Stops every running detached static-runtime build; returns what was paused (for the report) and a
 * resume function, also run when the process exits or is interrupted.
 */
export function pauseRuntimeBuilds(log: (line: string) => void): { paused: string[]; resume: () => void } {
  const sessions: { arch: string; sid: number }[] = [];
  for (const arch of ARCHES) {
    const running = runningStaticBuild(cacheRoot(), arch);
    if (running && isRuntimeBuild(running.pid)) sessions.push({ arch, sid: running.pid });
  }
  for (const s of sessions) {
    signal([s.sid], 'SIGSTOP'); // the build's node first: it starts no new compile meanwhile
    signal(sessionMembers(s.sid), 'SIGSTOP');
    log(`paused the ${s.arch} static-runtime build (pid ${s.sid}) for the measurements; it resumes after them`);
  }
  let resumed = sessions.length === 0;
  const resume = () => {
    if (resumed) return;
    resumed = true;
    for (const s of sessions) signal(sessionMembers(s.sid), 'SIGCONT');
    log(`resumed the static-runtime build${sessions.length > 1 ? 's' : ''}`);
  };
  process.once('exit', resume);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      resume();
      process.exit(130);
    });
  }
  return { paused: sessions.map((s) => `${s.arch} static-runtime build`), resume };
}
