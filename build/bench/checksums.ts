// npm run bench:checksums — the recorder's frame checksums on 1 MiB batches: the JS CRC (src/archive/format.ts)
// against the WebAssembly SIMD module (src/archive/frame-checksums.ts), on the Node runtimes the artifacts embed.
// Writes its section of docs/benchmarks.md.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript } from './alloc-run.ts';
import { benchArgs, envInt } from './bench-args.ts';
import type { Shape } from './checksums-workload.ts';
import { pauseRuntimeBuilds } from './quiet.ts';
import { loadAverage, machine, median, table, writeSection } from './report.ts';
import { runtimesToMeasure } from './runtimes.ts';

// --help prints what this bench does; nothing else is an argument (checked before anything is measured).
benchArgs('bench:checksums', import.meta.filename);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reps = envInt('BENCH_RUNS', 9);
const log = (l: string) => process.stdout.write(`${l}\n`);

const runtimes = await runtimesToMeasure(log);

const scratch = mkdtempSync(join(tmpdir(), 'broker-checksums-'));
const quiet = pauseRuntimeBuilds(log);
const loadBefore = loadAverage();
const rows: (string | number)[][] = [];
try {
  const workload = await bundleScript(join(root, 'build/bench/checksums-workload.ts'), join(scratch, 'workload.mjs'));
  for (const rt of runtimes) {
    log(`${rt.name}: ${reps} interleaved repetitions per shape …`);
    const res = JSON.parse(
      execFileSync(rt.path, [workload, String(reps)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1) ?? '',
    ) as { simd: boolean; shapes: Record<string, Shape> };
    if (!res.simd) throw new Error(`${rt.name} could not run the WebAssembly SIMD module: the recorder would fall back to the JS CRC there`);
    for (const [name, s] of Object.entries(res.shapes)) {
      if (!s.same) throw new Error(`${rt.name}, ${name}: the SIMD checksums differ from the JS CRC`);
      const js = median(s.js);
      const simd = median(s.simd);
      const avg = s.bytes / s.frames;
      rows.push([rt.name, name, s.frames, js.toFixed(2), simd.toFixed(2), (simd / js).toFixed(2), `${((avg / js) * 1e-3).toFixed(2)} → ${((avg / simd) * 1e-3).toFixed(2)}`]);
    }
  }
} finally {
  quiet.resume();
  rmSync(scratch, { recursive: true, force: true });
}

const md = `## Frame checksums: JS CRC vs WebAssembly SIMD

Command: \`npm run bench:checksums\` (BENCH_RUNS=${reps} interleaved repetitions of 40 × one 1 MiB batch each, median shown).
Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadBefore} at the start.
Each batch is checksummed frame by frame as the recorder's sink does it: \`checksumFrames\` (format.ts, slicing-by-16 in JS) and
\`ChecksumStage.checksumFrames\` (frame-checksums.ts: 16 frames at a time in WebAssembly SIMD, src/archive/frame-checksums.c),
on the same bytes; the run checks both give the same CRCs. Run inside each runtime the artifacts embed.

${table(['runtime', 'frames in the batch', 'frames per batch', 'JS (GB/s)', 'SIMD (GB/s)', '×', 'µs per frame, JS → SIMD'], rows)}
`;
const path = await writeSection(root, 'bench:checksums', md);
log(md);
log(`written to ${path}`);
