import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHeapSamples, youngAt } from '../../build/bench/heap-samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-heap-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lines as heap-sampler.cjs writes them: one per thread per second, spaces in MiB.
const line = (thread: string, at: number, newSpace: number, newLo: number) =>
  JSON.stringify({ thread, at, heapTotal: 20, heapUsed: 10, malloced: 0.3, external: 1, spaces: { new_space: newSpace, new_large_object_space: newLo, old_space: 9 } });

describe("bench:broker's heap samples", () => {
  it('reads the young generation as new space plus its large-object space, t from the bench start', () => {
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, `${line('main', 11_000, 8, 0.5)}\n${line('worker 1', 11_500, 4, 0)}\n`);
    const heap = readHeapSamples(file, 10_000);
    expect(heap.map((h) => [h.thread, h.t, h.young])).toEqual([
      ['main', 1, 8.5],
      ['worker 1', 1.5, 4],
    ]);
    expect(readHeapSamples(join(dir, 'missing.jsonl'), 0)).toEqual([]);
  });

  it("sums each thread's sample nearest to t, so a resize shows at its own second", () => {
    const file = join(dir, 'b.jsonl');
    const lines = [line('main', 1000, 4, 0), line('main', 2000, 4, 0), line('main', 3000, 16, 0), line('worker 1', 1200, 2, 0), line('worker 1', 2900, 8, 1)];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const heap = readHeapSamples(file, 0);
    expect(youngAt(heap, 1)).toBe(6);
    expect(youngAt(heap, 2)).toBe(4 + 2); // the worker's 1.2 s sample is nearer than its 2.9 s one
    expect(youngAt(heap, 2.2)).toBe(4 + 9); // and at 2.2 s its 2.9 s one
    expect(youngAt(heap, 3)).toBe(16 + 9);
    expect(youngAt([], 3)).toBe(0);
  });
});
