// npm run bench:codecs — what `record --compress` costs the writing thread: each codec at its default level on
// batches of varied JSON requests, through the sink's own slicing (batch.ts) and compressors (codec.ts), on the
// Node runtimes the artifacts embed. Issue 27's target on the codecs' own work: zstd's archive no larger than
// gzip's, at ≥ 1.5× gzip's rate. (Since format 4 the listener's throughput does not depend on the codec —
// bench:broker's --compress rows — so the writing thread's rate is what a faster codec buys: the traffic it
// keeps compressing before batches wait.) Writes its section of docs/benchmarks.md.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript } from './alloc-run.ts';
import { benchArgs, envInt } from './bench-args.ts';
import type { CodecsResult } from './codecs-workload.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { runtimesToMeasure } from './runtimes.ts';
import { CONFIDENCE, medianBounds, ratioVerdict } from './verdict.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:codecs', import.meta.filename);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reps = envInt('BENCH_RUNS', 9);
const log = (l: string) => process.stdout.write(`${l}\n`);

const runtimes = await runtimesToMeasure(log);

const scratch = mkdtempSync(join(tmpdir(), 'broker-codecs-'));
const quiet = pauseRuntimeBuilds(log);
const loadBefore = loadAverage();
const startedAt = new Date();
const rows: (string | number)[][] = [];
const targets: string[] = [];
try {
  const workload = await bundleScript(join(root, 'build/bench/codecs-workload.ts'), join(scratch, 'workload.mjs'));
  for (const rt of runtimes) {
    log(`${rt.name}: ${reps} interleaved repetitions per codec and batch shape …`);
    const res = JSON.parse(
      execFileSync(rt.path, [workload, String(reps)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1) ?? '',
    ) as CodecsResult;
    for (const [shape, s] of Object.entries(res.shapes)) {
      const gzip = s.codecs.gzip;
      for (const [codec, c] of Object.entries(s.codecs)) {
        if (!c.roundTrip) throw new Error(`${rt.name}, ${shape}, ${codec}: the compressed batch did not read back as the frames it was given`);
        const b = medianBounds(c.mibPerSecond);
        rows.push([
          rt.name,
          `${shape}: ${s.frames} requests, ${s.batchBytes} bytes`,
          `${codec} ${c.level}`,
          median(c.mibPerSecond).toFixed(0),
          `${b.low.toFixed(0)}–${b.high.toFixed(0)}`,
          gzip ? (median(c.mibPerSecond) / median(gzip.mibPerSecond)).toFixed(2) : '—',
          c.ratio.toFixed(3),
        ]);
      }
      const zstd = s.codecs.zstd;
      if (gzip && zstd) {
        const rate = ratioVerdict(zstd.mibPerSecond, gzip.mibPerSecond, 'at least', 1.5);
        const size = zstd.ratio <= gzip.ratio ? 'no larger' : 'LARGER';
        const what = s.target ? '' : ' (for reference, not the target: at a light load the writing thread idles almost all the time)';
        targets.push(`- ${rt.name}, ${shape}${what}: zstd's archive ${(zstd.ratio / gzip.ratio).toFixed(2)}× gzip's — **${size}**; at ${(median(zstd.mibPerSecond) / median(gzip.mibPerSecond)).toFixed(2)}× gzip's rate — **${rate}**`);
      }
    }
  }
} finally {
  quiet.resume();
  rmSync(scratch, { recursive: true, force: true });
}

const md = `## Codecs on the writing thread: \`npm run bench:codecs\`

Command: \`npm run bench:codecs\` (BENCH_RUNS=${reps} interleaved repetitions, each ≥ 200 ms of codec time per codec, median shown).
Machine: ${machine()}. Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadBefore} at the start;
${quiet.paused.length ? `paused for the run: the ${quiet.paused.join(' and the ')} (SIGSTOP, resumed after)` : 'no static-runtime build was running'}.
What \`record --compress\` does on its writing thread, without the listener: batches of request frames encoded as the
recorder encodes them, from the varied JSON traffic of bench:broker's size rows (build/bench/traffic-corpus.ts), are
compressed by the sink's own code (\`compressBatchInPlace\`, src/archive/batch.ts: quarter-MiB slices, each a batch frame)
with each codec's compressor at its default level (src/archive/codec.ts), in a worker thread as in the recorder; the rate is
MiB of frames per second spent in the codec. Each compressed batch is read back and checked against the frames it was given.
Since format 4 the listener's throughput does not depend on the codec (bench:broker's \`--compress\` rows): this rate is the
traffic the writing thread keeps compressing before batches wait (and, at 4 waiting, go out uncompressed: docs/archive.md).

${table(['runtime', 'batch', 'codec and level', 'MiB/s in the codec (median)', `median's ${CONFIDENCE * 100}% bounds`, '× gzip', 'stored / raw'], rows)}

Target (issue 27), zstd's archive ≤ gzip's at ≥ 1.5× gzip's rate; the rate's verdict from the repetitions' bounds as in the other benches:
${targets.join('\n')}
`;
const path = await writeSection(root, 'bench:codecs', md);
log(md);
log(`written to ${path}`);
