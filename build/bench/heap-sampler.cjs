// Loaded into a server under bench:broker's RSS run with BENCH_RSS_HEAP=1 (NODE_OPTIONS=--require=this file):
// every second, each thread (the listener and broker's sink thread; a preload runs in every worker too) appends one
// JSON line of its V8 heap to BENCH_HEAP_SAMPLES, so RSS growth can be told apart as JS heap, Buffers or native.
// Plain CommonJS: it runs inside the SEA artifact, outside tsx.
const { appendFileSync } = require('node:fs');
const { getHeapSpaceStatistics, getHeapStatistics } = require('node:v8');
const { isMainThread, threadId } = require('node:worker_threads');

const file = process.env.BENCH_HEAP_SAMPLES;
if (file) {
  const MiB = 2 ** 20;
  const round = (n) => Math.round((n / MiB) * 100) / 100;
  const sample = () => {
    const heap = getHeapStatistics();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, round(s.space_size)]));
    const mem = process.memoryUsage();
    const line = {
      thread: isMainThread ? 'main' : `worker ${threadId}`,
      // Wall clock: a worker's performance.now() starts with the worker, so the bench aligns these with its own start time.
      at: Date.now(),
      ...(isMainThread ? { rss: round(mem.rss) } : {}),
      heapTotal: round(heap.total_heap_size),
      heapUsed: round(heap.used_heap_size),
      malloced: round(heap.malloced_memory),
      external: round(heap.external_memory),
      ...(isMainThread ? { arrayBuffers: round(mem.arrayBuffers) } : {}),
      spaces,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  setInterval(sample, 1000).unref();
}
