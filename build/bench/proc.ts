// Reading Linux's /proc for the benchmarks' process accounting.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The fields of a /proc/<pid>/stat (or .../task/<tid>/stat) file after the command name, or null when the
 * process is gone. Index 0 is the state, 3 the session id, 11 and 12 utime and stime (clock ticks). The
 * name is cut at the last ") ": it may itself hold spaces and parentheses.
 */
export function procStat(path: string): string[] | null {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The child processes of `pid`'s main thread (a cluster primary's workers), or none once it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

let ticks: number | undefined;
/** The kernel's clock ticks a second (stat's time unit), asked once, when first needed. */
const clockTicks = () => (ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100);

/** A thread's or process's user + system CPU time from a /proc stat file, in ms (0 once it is gone). */
function statMs(path: string): number {
  const fields = procStat(path);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks() : 0;
}

/** A thread's time runnable but waiting for a core, in ms (the second field of its schedstat; 0 once it is gone). */
function waitMs(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

/**
 * CPU time of a process and its live children, in ms: all threads, and their event-loop (main) threads; how long
 * those event loops waited for a core, in ms; and how many event loops there are.
 */
export function cpuMs(pid: number): { all: number; loop: number; loopWait: number; loops: number } {
  const pids = [pid, ...childrenOf(pid)];
  return {
    all: pids.reduce((sum, p) => sum + statMs(`/proc/${p}/stat`), 0),
    loop: pids.reduce((sum, p) => sum + statMs(`/proc/${p}/task/${p}/stat`), 0),
    loopWait: pids.reduce((sum, p) => sum + waitMs(`/proc/${p}/task/${p}/schedstat`), 0),
    loops: pids.length,
  };
}

/** VmRSS of a process and its children (the cluster workers), in MiB. */
export function rssMiB(pid: number): number {
  const kids = childrenOf(pid);
  const one = (p: number) => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  return one(pid) + kids.reduce((a, k) => a + one(k), 0);
}
