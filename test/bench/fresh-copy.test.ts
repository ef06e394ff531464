// The copies start-up benches run their binaries from: the same bytes, executable, one per path.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FreshCopies } from '../../build/bench/fresh-copy.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-fresh-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench fresh copies', () => {
  it('copies each binary once, executable, and keeps two of one name apart', () => {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a/node'), 'first', { mode: 0o644 });
    writeFileSync(join(dir, 'b/node'), 'second', { mode: 0o644 });
    const copies = new FreshCopies(join(dir, 'fresh'));
    const a = copies.of(join(dir, 'a/node'));
    const b = copies.of(join(dir, 'b/node'));
    expect(a).not.toBe(b);
    expect(copies.of(join(dir, 'a/node'))).toBe(a);
    expect(readFileSync(a, 'utf8')).toBe('first');
    expect(readFileSync(b, 'utf8')).toBe('second');
    expect(statSync(a).mode & 0o777).toBe(0o755);
  });
});
