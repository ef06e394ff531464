// A recording's clean stop forces the archive to the device. When that fails (EIO, ENOSPC on a thin volume), or a
// timer's sync failed and no write reported it since, the records may never reach the device — and Linux reports a
// failed writeback once: the stop says so and exits 1 (it said nothing and exited 0). strace injects the failure.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { itWhen, prerequisite } from '../fixtures/skip.ts';
import { killLeftovers, startRecorder } from './broker-process.ts';
import { post } from './http-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-close-'));
afterAll(() => {
  killLeftovers();
  rmSync(dir, { recursive: true, force: true });
});

const strace = prerequisite('strace', spawnSync('strace', ['-V']).error ? 'not installed (.ci/run installs it)' : undefined);

/** Under strace, the first call of `syscall` (by any thread) fails with EIO; strace's log of it goes to `log`. */
const failingFirst = (syscall: string, log = '/dev/null') => ({ under: ['strace', '-f', '-qq', '--seccomp-bpf', '-o', log, '-e', `trace=${syscall}`, '-e', `inject=${syscall}:error=EIO:when=1`] });

/** SIGTERM to the recorder strace runs: strace itself, sent one, waits on its tracee. */
function stopTraced(r: { child: { pid?: number } }): void {
  const tracee = Number(readFileSync(`/proc/${r.child.pid}/task/${r.child.pid}/children`, 'utf8').trim().split(' ')[0]);
  // No tracee (it exited): kill(0) would signal this test run's whole process group.
  if (!(tracee > 0)) throw new Error(`strace (pid ${r.child.pid}) has no tracee left to stop`);
  process.kill(tracee, 'SIGTERM');
}

/** Waits until strace's log shows the injected failure. */
async function injected(log: string, within = 10_000): Promise<void> {
  for (const until = Date.now() + within; Date.now() < until; await new Promise((res) => setTimeout(res, 50))) {
    if (existsSync(log) && readFileSync(log, 'utf8').includes('(INJECTED)')) return;
  }
  throw new Error(`no injected failure in ${log} within ${within} ms`);
}

describe('record: the archive cannot be synced when it stops', () => {
  itWhen(strace, 'the final fsync fails: exit 1, the cause said beside the summary, the records still readable', async () => {
    const out = join(dir, 'final.brk');
    // --fsync never: close's fsync is the process's first.
    const r = await startRecorder(['--out', out], failingFirst('fsync'));
    expect((await post(r.port, '/one', 'body')).status).toBe(200);
    stopTraced(r);
    expect((await r.exited).code).toBe(1);
    expect(r.stderr()).toContain(`broker: cannot fsync ${out}: I/O error (EIO): its records are written but may not be on the device`);
    expect(r.stdout()).toContain(`recorded 1 to ${out}`);
    expect((await run('cat', out, '--json')).lines.map((l) => JSON.parse(l).url)).toEqual(['/one']);
  });

  itWhen(strace, "--fsync 3s: the interval's sync fails and no write follows: the stop reports it, exit 1", async () => {
    const out = join(dir, 'interval.brk');
    const log = join(dir, 'interval.strace');
    // The interval runs from the archive's creation: a first write within 3 s of it arms the timer (a later one would
    // sync at once, and fail as a write). The final fsync then passes.
    const r = await startRecorder(['--out', out, '--fsync', '3s', '--flush-ms', '10'], failingFirst('fdatasync', log));
    expect((await post(r.port, '/one', 'body')).status).toBe(200);
    await injected(log);
    stopTraced(r);
    expect((await r.exited).code).toBe(1);
    expect(r.stderr()).toContain(`broker: cannot fsync ${out}: I/O error (EIO): its records are written but may not be on the device`);
  });

  itWhen(strace, '--workers 2: a worker whose final fsync fails makes the primary say so and exit 1, without sending the user to verify (it cannot see it)', async () => {
    const out = join(dir, 'workers.brk');
    const r = await startRecorder(['--out', out, '--workers', '2'], failingFirst('fsync'));
    expect((await post(r.port, '/one', 'body')).status).toBe(200);
    stopTraced(r);
    expect((await r.exited).code).toBe(1);
    expect(r.stderr()).toMatch(new RegExp(`^broker: cannot fsync ${out}: I/O error \\(EIO\\): its records are written but may not be on the device \\([^)]*\\)$`, 'm'));
    expect(r.stderr()).not.toContain('broker verify');
  });

  itWhen(strace, 'a clean stop whose syncs pass exits 0 (the same run under strace, nothing injected)', async () => {
    const out = join(dir, 'clean.brk');
    const r = await startRecorder(['--out', out, '--fsync', '300ms', '--flush-ms', '10'], { under: ['strace', '-f', '-qq', '--seccomp-bpf', '-o', '/dev/null', '-e', 'trace=fsync,fdatasync'] });
    expect((await post(r.port, '/one', 'body')).status).toBe(200);
    await new Promise((res) => setTimeout(res, 1500));
    stopTraced(r);
    expect((await r.exited).code).toBe(0);
    expect(r.stderr()).not.toContain('cannot fsync');
  });
});
