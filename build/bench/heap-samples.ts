/**
 * The heap samples a server writes under bench:broker's RSS runs (heap-sampler.cjs, preloaded into every thread: one
 * JSON line per thread per second), read back and aligned with the bench's own RSS samples.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface HeapSample {
  thread: string;
  /** Seconds since the bench started the server. */
  t: number;
  rss?: number;
  heapTotal: number;
  heapUsed: number;
  malloced: number;
  external: number;
  arrayBuffers?: number;
  /** The young generation, committed: new space and its large-object space (MiB). */
  young: number;
}

/** The samples in `file`, t counted from `startedAt` (ms since the epoch: a worker's clock starts with the worker). */
export function readHeapSamples(file: string, startedAt: number): HeapSample[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { at, spaces, ...rest } = JSON.parse(line) as Omit<HeapSample, 'young' | 't'> & { at: number; spaces: Record<string, number> };
      return { ...rest, young: (spaces.new_space ?? 0) + (spaces.new_large_object_space ?? 0), t: (at - startedAt) / 1000 };
    });
}

/** The sample of `xs` (not empty) taken nearest to t. */
export function nearest<T extends { t: number }>(xs: T[], t: number): T {
  return xs.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best));
}

/**
 * Every thread's young generation at t, MiB: each thread's sample nearest to t, summed. V8 resizes a young generation
 * between fixed bounds whatever the program does, so RSS less this is what a leak would grow.
 */
export function youngAt(heap: HeapSample[], t: number): number {
  // One pass, each thread's nearest so far (nearest() per thread would group the samples at every call).
  const best = new Map<string, HeapSample>();
  for (const h of heap) {
    const b = best.get(h.thread);
    if (!b || Math.abs(h.t - t) < Math.abs(b.t - t)) best.set(h.thread, h);
  }
  return [...best.values()].reduce((a, h) => a + h.young, 0);
}
