import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson, runStage, StageError, stageDir, stageHash } from '../../build/runtime/static/stage.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'broker-stage-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('stage hashing', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    expect(stageHash({ x: 1, y: 2 })).toBe(stageHash({ y: 2, x: 1 }));
  });

  it('changes with any input, including array order (link order matters)', () => {
    const base = stageHash({ flags: ['--a', '--b'] });
    expect(stageHash({ flags: ['--b', '--a'] })).not.toBe(base);
    expect(stageHash({ flags: ['--a', '--b', '--c'] })).not.toBe(base);
  });

  it('names the directory <stage>-<16 hex>', () => {
    expect(stageDir('/c', 'zlib', { v: 1 })).toMatch(/^\/c\/zlib-[0-9a-f]{16}$/);
  });
});

describe('runStage', () => {
  it('runs once, then answers from the marker without running', async () => {
    let runs = 0;
    const spec = { name: 's', inputs: { v: 1 }, run: async () => ++runs };
    expect(await runStage(root, spec)).toBe(1);
    expect(await runStage(root, spec)).toBe(1);
    expect(runs).toBe(1);
    expect(await runStage(root, { ...spec, inputs: { v: 2 } })).toBe(2);
  });

  it('writes no marker when the stage fails, names the stage and its log', async () => {
    const spec = {
      name: 'openssl',
      inputs: { v: 1 },
      run: async ({ log }: { log: string }) => {
        writeFileSync(log, 'compiler said no\n');
        throw new Error('boom');
      },
    };
    const err = await runStage(root, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).stage).toBe('openssl');
    expect((err as StageError).message).toContain('stage "openssl" failed: boom');
    expect((err as StageError).logPath).toBe(join(stageDir(root, 'openssl', { v: 1 }), 'openssl.log'));
    expect(existsSync(join(stageDir(root, 'openssl', { v: 1 }), 'stage-done.json'))).toBe(false);
    // A retry runs again (and can succeed).
    expect(await runStage(root, { ...spec, run: async () => 'ok' })).toBe('ok');
  });

  it('wipes a partial output before re-running, unless the stage is resumable', async () => {
    const inputs = { v: 1 };
    const dir = stageDir(root, 'part', inputs);
    const fail = async ({ dir }: { dir: string }) => {
      writeFileSync(join(dir, 'partial.o'), 'x');
      throw new Error('killed');
    };
    await expect(runStage(root, { name: 'part', inputs, run: fail })).rejects.toThrow('killed');
    const seen = await runStage(root, { name: 'part', inputs, run: async () => existsSync(join(dir, 'partial.o')) });
    expect(seen).toBe(false);

    const rdir = stageDir(root, 'res', inputs);
    await expect(runStage(root, { name: 'res', inputs, resumable: true, run: fail })).rejects.toThrow('killed');
    const kept = await runStage(root, {
      name: 'res',
      inputs,
      resumable: true,
      run: async () => readFileSync(join(rdir, 'partial.o'), 'utf8'),
    });
    expect(kept).toBe('x');
  });
});

describe('stage timing', () => {
  it('adds up every attempt of a resumable stage', async () => {
    const { stageRuns } = await import('../../build/runtime/static/stage.ts');
    const inputs = { v: 1 };
    // The clock moves 5 s in the failed attempt and 3 s in the one that succeeds (only Date is faked).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-12-06T08:00:00Z') });
    try {
      await expect(
        runStage(root, {
          name: 'c',
          inputs,
          resumable: true,
          run: async () => {
            vi.setSystemTime(Date.now() + 5000);
            throw new Error('x');
          },
        }),
      ).rejects.toThrow();
      await runStage(root, { name: 'c', inputs, resumable: true, run: async () => (vi.setSystemTime(Date.now() + 3000), 1) });
    } finally {
      vi.useRealTimers();
    }
    const dir = stageDir(root, 'c', inputs);
    expect(stageRuns(dir).map((r) => [r.ok, r.seconds])).toEqual([
      [false, 5],
      [true, 3],
    ]);
    const marker = JSON.parse(readFileSync(join(dir, 'stage-done.json'), 'utf8')) as { seconds: number; totalSeconds: number };
    expect(marker).toMatchObject({ seconds: 3, totalSeconds: 8 });
  });

  it('counts a killed attempt (no end recorded) up to its last write, at the next start', async () => {
    const { stageRuns } = await import('../../build/runtime/static/stage.ts');
    const inputs = { v: 1 };
    const dir = stageDir(root, 'k', inputs);
    // What a killed compile leaves: its attempt file (started 100 s before its last log line), no end.
    const { mkdirSync, utimesSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const started = Date.now() - 3_600_000;
    writeFileSync(join(dir, 'stage-attempt.json'), JSON.stringify({ startedAt: new Date(started).toISOString() }));
    utimesSync(join(dir, 'stage-attempt.json'), started / 1000, started / 1000);
    writeFileSync(join(dir, 'k.log'), '[10/1000] CXX something\n');
    utimesSync(join(dir, 'k.log'), (started + 100_000) / 1000, (started + 100_000) / 1000);
    await runStage(root, { name: 'k', inputs, resumable: true, run: async () => 1 });
    const runs = stageRuns(dir);
    expect(runs[0]).toMatchObject({ seconds: 100, ok: false, killed: true });
    expect(runs[1]).toMatchObject({ ok: true });
    expect(existsSync(join(dir, 'stage-attempt.json'))).toBe(false);
  });

  it('cold cost: attempts up to the first success, not the re-runs after it', async () => {
    const { coldSeconds } = await import('../../build/runtime/static/stage.ts');
    const run = (seconds: number, ok: boolean) => ({ startedAt: '', seconds, ok });
    expect(coldSeconds([run(100, false), run(7000, true), run(300, true)])).toBe(7100);
    expect(coldSeconds([run(5, true)])).toBe(5);
    expect(coldSeconds([run(5, false)])).toBe(5);
    expect(coldSeconds([])).toBe(0);
  });
});

describe('stage ledger', () => {
  it('reports each stage resolved, run or cached, with the cost recorded when it ran', async () => {
    const seen: { stage: string; dir: string; seconds: number }[] = [];
    const report = Object.assign((_line: string) => {}, { stage: (t: (typeof seen)[number]) => seen.push(t) });
    // The run moves the (faked) clock 4 s: what the ledger records, while the lookup after it takes none.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-12-06T08:00:00Z') });
    try {
      await runStage(root, { name: 'a', inputs: { v: 1 }, run: async () => (vi.setSystemTime(Date.now() + 4000), 1) }, report);
      await runStage(root, { name: 'a', inputs: { v: 1 }, run: async () => 2 }, report);
    } finally {
      vi.useRealTimers();
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({ stage: 'a', dir: stageDir(root, 'a', { v: 1 }), seconds: 4 });
    // Cached: the cost is what it took when it ran, not the ~0 s of the lookup.
    expect(seen[1]).toEqual(seen[0]);
  });
});

describe('stillValid', () => {
  it('re-runs a stage whose recorded output was wiped (warm rebuild: build dir gone, caches kept)', async () => {
    const out = join(root, 'tree-outside-stage');
    let runs = 0;
    const spec = {
      name: 'configure',
      inputs: { v: 1 },
      stillValid: (r: string) => existsSync(r),
      run: async () => {
        runs++;
        writeFileSync(out, 'x');
        return out;
      },
    };
    await runStage(root, spec);
    await runStage(root, spec);
    expect(runs).toBe(1);
    rmSync(out);
    await runStage(root, spec);
    expect(runs).toBe(2);
  });
});

// Two builds of one stage at once used to run it twice in the same dir (a toolchain test beside a detached build).
describe('one process per stage at a time', () => {
  it('a second runStage of the same stage waits, naming the holder, then takes the first one’s result', async () => {
    let runs = 0;
    const lines: string[] = [];
    const spec = {
      name: 'slow',
      inputs: { v: 1 },
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 400));
        return runs;
      },
    };
    const [a, b] = await Promise.all([runStage(root, spec), runStage(root, spec, (l: string) => lines.push(l))]);
    expect([a, b]).toEqual([1, 1]);
    expect(runs).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^\\[slow\\] .*slow-[0-9a-f]{16} is being built by pid ${process.pid} \\(this process\\): waiting for it$`));
    expect(lines).toContain(`[slow] cached (${stageDir(root, 'slow', { v: 1 })})`);
  });

  it('another process’s lock is waited for while it lives; a dead holder’s lock is taken over', async () => {
    const lockDir = join(root, '.locks');
    const lock = join(lockDir, `${stageDir(root, 'held', { v: 1 }).split('/').pop()}.lock`);
    // A live holder: a child process that sleeps, then exits; its lock file names it.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 700)']);
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(lock, `${child.pid}\n`);
    const lines: string[] = [];
    // When the holder exited and when this process's run began: the run must come after.
    let exitedAt = Number.POSITIVE_INFINITY;
    let ranAt = Number.NEGATIVE_INFINITY;
    const exited = new Promise((r) => child.on('exit', r));
    child.on('exit', () => {
      exitedAt = performance.now();
    });
    const result = runStage(
      root,
      {
        name: 'held',
        inputs: { v: 1 },
        run: async () => {
          ranAt = performance.now();
          return 'mine';
        },
      },
      (l: string) => lines.push(l),
    );
    await exited;
    expect(await result).toBe('mine');
    expect(ranAt).toBeGreaterThanOrEqual(exitedAt);
    expect(lines[0]).toMatch(new RegExp(`is being built by pid ${child.pid}: waiting for it$`));
    expect(existsSync(lock)).toBe(false);
    // A dead holder (a pid that no longer runs): taken over at once, nothing printed about waiting.
    writeFileSync(lock, `${child.pid}\n`);
    const quiet: string[] = [];
    expect(await runStage(root, { name: 'held', inputs: { v: 2 }, run: async () => 'again' }, (l: string) => quiet.push(l))).toBe('again');
    expect(quiet.some((l) => l.includes('waiting'))).toBe(false);
  });

  it('stages that share a build dir (configure, compile, link on one Node tree) run one at a time', async () => {
    const spans: [number, number][] = [];
    const stage = (name: string) => ({
      name,
      inputs: { v: 1 },
      sharedDir: join(root, 'tree'),
      run: async () => {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 300));
        spans.push([start, Date.now()]);
        return name;
      },
    });
    expect(await Promise.all([runStage(root, stage('configure')), runStage(root, stage('compile'))])).toEqual(['configure', 'compile']);
    const [first, second] = spans.sort((x, y) => x[0] - y[0]) as [[number, number], [number, number]];
    expect(second[0]).toBeGreaterThanOrEqual(first[1]);
  });
});
