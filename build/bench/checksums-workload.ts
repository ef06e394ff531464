// Run by bench:checksums under each Node runtime (bundled first): the frame checksums of 1 MiB batches,
// the JS CRC (format.ts) against the WebAssembly SIMD stage (frame-checksums.ts), interleaved.
// Prints one JSON line: for each batch shape, GB/s per repetition of each.
import { checksumFrames, FRAME_HEADER_SIZE } from '../../src/archive/format.ts';
import { ChecksumStage } from '../../src/archive/frame-checksums.ts';

const reps = Number(process.argv[2] ?? 9);
const BATCH = 1 << 20;

// Payload sizes: the bench:broker request (2 KiB body + head = 2330-byte payload), a mix, tiny frames.
const shapes: Record<string, (i: number) => number> = {
  '2330-byte payloads (a 2 KiB POST, as bench:broker records)': () => 2330,
  'mixed, 0–8000 bytes': (i) => (i * 2654435761) % 8001,
  'tiny, 0–40 bytes': (i) => (i * 2654435761) % 41,
};

/** One batch's timings, as bench:checksums reads them. */
export interface Shape {
  frames: number;
  bytes: number;
  js: number[];
  simd: number[];
  same: boolean;
}

/** As many frames of the given sizes as fit in a batch, and how many that was. */
function batch(size: (i: number) => number): { bytes: Buffer; frames: number } {
  const b = Buffer.alloc(BATCH);
  let p = 0;
  let i = 0;
  for (; ; i++) {
    const n = size(i);
    if (p + FRAME_HEADER_SIZE + n > BATCH) break;
    b.writeUInt32LE(n, p);
    b[p + 4] = 1;
    for (let k = 0; k < n; k++) b[p + FRAME_HEADER_SIZE + k] = (k * 31 + i) & 0xff;
    p += FRAME_HEADER_SIZE + n;
  }
  return { bytes: b.subarray(0, p), frames: i };
}

const stage = new ChecksumStage();
const out: Record<string, Shape> = {};
for (const [name, size] of Object.entries(shapes)) {
  const { bytes: b, frames } = batch(size);
  const js = Buffer.from(b);
  checksumFrames(js, 0, js.length);
  const view = stage.get(b.length);
  view.set(b, 0);
  stage.checksumFrames(0, b.length);
  const r: Shape = { frames, bytes: b.length, js: [], simd: [], same: view.subarray(0, b.length).equals(js) };
  const rounds = 40; // 40 MiB per timing: long enough for the clock, short enough to interleave
  for (let k = 0; k < reps + 1; k++) {
    let t = performance.now();
    for (let i = 0; i < rounds; i++) checksumFrames(js, 0, js.length);
    const tj = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < rounds; i++) stage.checksumFrames(0, b.length);
    const ts = performance.now() - t;
    if (k === 0) continue; // warm-up: both tiers compiled
    r.js.push((rounds * b.length) / tj / 1e6);
    r.simd.push((rounds * b.length) / ts / 1e6);
  }
  out[name] = r;
}
console.log(JSON.stringify({ node: process.version, simd: stage.usesSimd, shapes: out }));
