// Run by bench:codecs under each Node runtime (bundled first): what `record --compress` costs the writing thread.
// Batches of request frames from the size rows' traffic (traffic-corpus.ts) go through compressBatchInPlace (batch.ts)
// with each codec's compressor at its default level (codec.ts), as the sink does; in a worker thread, as in the
// recorder (its own malloc arena: how a codec allocates shows there). Prints one JSON line: per batch shape and
// codec, MiB of frames compressed per second of codec time per repetition, and the stored/raw ratio.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { compressBatchInPlace } from '../../src/archive/batch.ts';
import { CODEC_LEVELS, type CodecTally, codecRate, compressor, timedCompressor } from '../../src/archive/codec.ts';
import { Codec, checksumFrames, encodeHeader } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame } from '../../src/archive/record.ts';
import { corpus } from './traffic-corpus.ts';

/** One codec on one batch shape, as bench:codecs reads it. */
export interface CodecTiming {
  level: number;
  /** MiB of frames per second spent in the codec, one number per repetition. */
  mibPerSecond: number[];
  /** Bytes stored (batch frames, or frames left as they were) over frames given. */
  ratio: number;
  /** The compressed batch read back (reader.ts) as every frame it was given, byte for byte (checked once per shape). */
  roundTrip: boolean;
}

export interface CodecsResult {
  node: string;
  shapes: Record<string, { batchBytes: number; frames: number; target: boolean; codecs: Record<string, CodecTiming> }>;
}

// A full pool buffer (record's default --flush-bytes, 1 MiB: recording at its limit, where the codec's rate
// matters: the target) and what one 100 ms flush holds at a light load (~50 requests: the thread idles anyway).
const SHAPES: Record<string, { bytes: number; target: boolean }> = {
  'full 1 MiB batches (recording at its limit)': { bytes: 1 << 20, target: true },
  '16 KiB batches (a light load)': { bytes: 16 << 10, target: false },
};
const CODECS = { gzip: Codec.gzip, brotli: Codec.brotli, zstd: Codec.zstd } as const;
/** Each timing runs until this much codec time has passed: long enough for the clock and for allocation patterns. */
const TIMING_MS = 200;

/** Request frames as the recorder encodes them from the corpus (what `sendCorpus` sends), filling at most `bytes`. */
function batchOf(bytes: number): { buf: Buffer; length: number; frames: number } {
  const buf = Buffer.alloc(bytes);
  let length = 0;
  let frames = 0;
  for (const body of corpus(Math.ceil(bytes / 100))) {
    const rawHeaders = ['content-type', 'application/json', 'content-length', String(body.length), 'Host', '127.0.0.1:8080', 'Connection', 'keep-alive'];
    const end = encodeRequestFrame(
      buf,
      length,
      { time: 1_764_000_000_000 + frames * 0.37, peerAddress: '127.0.0.1', peerPort: 40_000 + (frames % 16), method: 'POST', url: '/events', rawHeaders, body: [body], bodyLength: body.length },
      Codec.none,
    );
    if (end < 0) break;
    length = end;
    frames++;
  }
  checksumFrames(buf, 0, length);
  return { buf, length, frames };
}

/** The compressed batch, read as a format-4 file, holds the same records as the plain one. */
function sameRecords(batch: { buf: Buffer; length: number; frames: number }, compressed: Uint8Array): boolean {
  const file = (bytes: Uint8Array) => Buffer.concat([encodeHeader(4), bytes]);
  const plain = readArchive(file(batch.buf.subarray(0, batch.length)));
  const read = readArchive(file(compressed));
  if (read.bad || plain.bad || read.records.length !== batch.frames || read.batches.count === 0) return false;
  return read.records.every((r, i) => JSON.stringify({ ...r, offset: 0 }) === JSON.stringify({ ...plain.records[i], offset: 0 }));
}

function run(reps: number): CodecsResult {
  const shapes: CodecsResult['shapes'] = {};
  for (const [name, { bytes, target }] of Object.entries(SHAPES)) {
    const batch = batchOf(bytes);
    const work = Buffer.alloc(batch.length);
    const codecs: Record<string, CodecTiming> = {};
    const timed: Record<string, () => number> = {};
    for (const [codecName, codec] of Object.entries(CODECS)) {
      // Timed as the sink times it, so the rate is the one record's summary reports.
      const tally: CodecTally = { codecInputBytes: 0, codecMs: 0 };
      const clocked = timedCompressor(compressor(codec), tally);
      // One batch; returns the bytes stored.
      const once = () => {
        batch.buf.copy(work, 0, 0, batch.length);
        return compressBatchInPlace(work, batch.length, codec, clocked).at(-1)?.end ?? 0;
      };
      const stored = once();
      codecs[codecName] = { level: CODEC_LEVELS[codecName as keyof typeof CODECS].default, mibPerSecond: [], ratio: stored / batch.length, roundTrip: sameRecords(batch, work.subarray(0, stored)) };
      timed[codecName] = () => {
        Object.assign(tally, { codecInputBytes: 0, codecMs: 0 });
        while (tally.codecMs < TIMING_MS) once();
        return codecRate(tally) ?? 0;
      };
    }
    const names = Object.keys(timed);
    for (const n of names) timed[n]?.(); // warm-up: compiled, allocator settled
    for (let r = 0; r < reps; r++) {
      // Interleaved, each repetition starting with the next codec: drift spreads over all of them.
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + r) % names.length] as string;
        codecs[n]?.mibPerSecond.push(timed[n]?.() ?? 0);
      }
    }
    shapes[name] = { batchBytes: batch.length, frames: batch.frames, target, codecs };
  }
  return { node: process.version, shapes };
}

if (isMainThread) {
  const reps = Number(process.argv[2] ?? 9);
  const worker = new Worker(new URL(import.meta.url), { workerData: reps });
  worker.on('message', (r: CodecsResult) => console.log(JSON.stringify(r)));
  worker.on('error', (e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  parentPort?.postMessage(run(Number(workerData)));
}
