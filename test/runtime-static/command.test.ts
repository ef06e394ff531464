import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runShell } from '../../build/runtime/static/command.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-cmd-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runShell', () => {
  it('appends the command and its output to the stage log', async () => {
    const log = join(dir, 'x.log');
    await runShell('echo "$GREETING"; echo to-stderr >&2', { cwd: dir, log, env: { GREETING: 'hello' } });
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('echo "$GREETING"');
    expect(text).toContain('hello\n');
    expect(text).toContain('to-stderr\n');
  });

  it('fails with the exit code and the last lines of the log', async () => {
    const log = join(dir, 'x.log');
    await expect(runShell('echo "cc: fatal error: no.h not found"; exit 3', { cwd: dir, log })).rejects.toThrow(/exited with 3\n[\s\S]*cc: fatal error: no.h not found/);
  });

  it('stops at the first failing line (set -e, pipefail)', async () => {
    const log = join(dir, 'x.log');
    await expect(runShell('false | cat; echo never', { cwd: dir, log })).rejects.toThrow();
    expect(readFileSync(log, 'utf8')).not.toContain('never\n');
  });

  it('passes output to a progress parser as well as the log', async () => {
    const log = join(dir, 'x.log');
    let seen = '';
    await runShell('echo "[1/2] CXX a.o"', { cwd: dir, log, onOutput: (c) => (seen += c) });
    expect(seen).toBe('[1/2] CXX a.o\n');
    expect(readFileSync(log, 'utf8')).toContain('[1/2] CXX a.o');
  });
});
