// The allocation workload each runtime variant runs (bundled to one .mjs by the harness, so it needs
// nothing but the runtime itself). Work is fixed, time is measured: it reaches the C allocator through
// ArrayBuffer backing stores (Buffer.allocUnsafeSlow), zlib's internal state, OpenSSL's hash contexts
// and large JSON strings. Prints one JSON line.
import { createHash } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { deflateSync, inflateSync } from 'node:zlib';

interface Job {
  iterations: number;
  threads: number;
}

const SIZES = [64, 200, 1024, 3000, 8192, 16384, 40000, 65536];

function work(iterations: number): number {
  // A ring of live buffers keeps allocations overlapping, as a server's would, instead of alloc-free pairs.
  const ring: Buffer[] = new Array(64);
  const doc = { id: 0, tags: ['a', 'b', 'c'], items: Array.from({ length: 40 }, (_, i) => ({ i, name: `item-${i}`, price: i * 1.5 })) };
  let check = 0;
  for (let i = 0; i < iterations; i++) {
    const buf = Buffer.allocUnsafeSlow(SIZES[i % SIZES.length] as number);
    buf.fill(i & 0xff);
    ring[i % ring.length] = buf;
    if (i % 4 === 0) {
      const chunk = buf.subarray(0, Math.min(buf.length, 2048));
      check += inflateSync(deflateSync(chunk)).length;
    }
    if (i % 2 === 0) check += createHash('sha256').update(buf).digest()[0] as number;
    if (i % 8 === 0) {
      doc.id = i;
      check += (JSON.parse(JSON.stringify(doc)) as { items: unknown[] }).items.length;
    }
  }
  return check;
}

if (isMainThread) {
  const [iterations = '20000', threads = '0'] = process.argv.slice(2);
  const job: Job = { iterations: Number(iterations), threads: Number(threads) };
  const started = performance.now();
  if (job.threads === 0) {
    work(job.iterations);
    console.log(JSON.stringify({ threads: 0, iterations: job.iterations, ms: performance.now() - started }));
  } else {
    let pending = job.threads;
    for (let t = 0; t < job.threads; t++) {
      const w = new Worker(new URL(import.meta.url), { workerData: job.iterations });
      w.on('message', () => {
        if (--pending === 0) console.log(JSON.stringify({ threads: job.threads, iterations: job.iterations, ms: performance.now() - started }));
      });
      w.on('error', (err) => {
        console.error(err);
        process.exit(1);
      });
    }
  }
} else {
  parentPort?.postMessage(work(workerData as number));
}
