// bench's pause of a detached static-runtime build: the build's whole session stops and comes back, and a
// pid file that now names some other process is left alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { procStat } from '../../build/bench/proc.ts';
import { pauseRuntimeBuilds, sessionMembers } from '../../build/bench/quiet.ts';

const cache = mkdtempSync(join(tmpdir(), 'broker-quiet-'));
const savedCache = process.env.BROKER_CACHE;
process.env.BROKER_CACHE = cache;
mkdirSync(join(cache, 'static'), { recursive: true });
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL'); // a fake build's whole group, its child too
    } catch {
      c.kill('SIGKILL'); // not a group leader
    }
  }
});
afterAll(() => {
  process.env.BROKER_CACHE = savedCache;
  rmSync(cache, { recursive: true, force: true });
});

/** A stand-in for `npm run runtime -- --detach`: its own session, a child in it, the same script path in its arguments. */
function fakeBuild(path: string): ChildProcess {
  const script = "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)";
  const c = spawn(process.execPath, ['-e', script, path], { detached: true, stdio: 'ignore' });
  children.push(c);
  return c;
}

const state = (pid: number) => procStat(`/proc/${pid}/stat`)?.[0];
async function until(cond: () => boolean) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

describe('pauseRuntimeBuilds', () => {
  it('stops a running detached build with everything in its session, and resumes it', async () => {
    const build = fakeBuild('/work/x/build/runtime/static/cli.ts');
    writeFileSync(join(cache, 'static', 'runtime-build-arm64.pid'), String(build.pid));
    expect(await until(() => sessionMembers(build.pid!).length === 2)).toBe(true);
    const lines: string[] = [];
    const quiet = pauseRuntimeBuilds((l) => lines.push(l));
    expect(quiet.paused).toEqual(['arm64 static-runtime build']);
    for (const p of sessionMembers(build.pid!)) expect(await until(() => state(p) === 'T')).toBe(true);
    quiet.resume();
    for (const p of sessionMembers(build.pid!)) expect(await until(() => state(p) !== 'T')).toBe(true);
    expect(lines.join('\n')).toMatch(/paused the arm64 static-runtime build .*\n.*resumed/);
  });

  it('leaves alone a process that a stale pid file names', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    writeFileSync(join(cache, 'static', 'runtime-build.pid'), String(other.pid));
    writeFileSync(join(cache, 'static', 'runtime-build-arm64.pid'), '999999999');
    const quiet = pauseRuntimeBuilds(() => {});
    expect(quiet.paused).toEqual([]);
    expect(state(other.pid!)).not.toBe('T');
    quiet.resume();
  });
});
