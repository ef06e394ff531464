import { inspectPath, readElfFile } from '../shared/elf/file.ts';
import type { Arch } from '../shared/toolchain/arch.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import type { Backend } from './backends/backend.ts';
import { type Emulation, type EmulationMode, emulationFor } from './emulation.ts';
import { imageFacts } from './facts.ts';
import { IMAGES, type Variant } from './images.ts';
import { predict } from './predict.ts';
import { type ImageContext, prepareImage, prepareVariant } from './rootfs.ts';

export interface MatrixOptions {
  artifact: string;
  images: 'online' | 'offline' | 'auto';
  backend: Backend;
  timeoutMs: number;
  /** How rows of a foreign-arch artifact run: binfmt when possible (auto), or forced. */
  emulation: EmulationMode;
  only?: string[];
  imageContext: ImageContext;
  log: Logger;
}

export type RowResult = 'pass' | 'fail' | 'timeout' | 'unavailable' | 'error';

export interface MatrixRow {
  /** The role id (what --only takes). */
  id: string;
  /** What really ran: a registry reference or the local stand-in's name; never a role's name. */
  image: string;
  role: string;
  /** The image that really ran: a registry reference or a labelled local stand-in. */
  used: string;
  source: 'registry' | 'local' | null;
  variant: Variant;
  removed: number;
  libc: string;
  libbz2: boolean | null;
  expected: 'pass' | 'fail' | null;
  prediction: string;
  result: RowResult;
  exitCode: number | null;
  output: string;
  ms: number;
  /** Prediction and reality agree; null where nothing ran. */
  agree: boolean | null;
  /** How the artifact was started: native, binfmt (the kernel ran qemu) or qemu-in-root; null where nothing ran. */
  emulation: Emulation['mechanism'] | null;
}

export interface MatrixReport {
  artifact: string;
  verdict: string;
  machine: string;
  arch: Arch;
  backend: string;
  isolation: string;
  /** The emulation mechanism and how it was set up (e.g. binfmt registered now, or why qemu ran in the root). */
  emulation: Emulation['mechanism'];
  emulationDetail: string;
  rows: MatrixRow[];
  ok: boolean;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 100 ? `${line.slice(0, 97)}…` : line;
}

// The ELF machines the matrix has rows for, by the reader's names.
const ARCH_OF_MACHINE: Record<string, Arch> = { 'Advanced Micro Devices X86-64': 'x64', AArch64: 'arm64' };

/** Runs `<artifact> --version` in every image (and with libbz2 / libc removed), beside the inspector's prediction. */
export async function runMatrix(o: MatrixOptions): Promise<MatrixReport> {
  const report = inspectPath(o.artifact);
  const elf = readElfFile(o.artifact);
  const arch = ARCH_OF_MACHINE[report.machine];
  if (!arch) throw new Error(`${o.artifact} is ${report.machine}; the matrix has rows for x86-64 and AArch64 artifacts only`);
  const emulation = await emulationFor(arch, o.emulation);
  o.log.info(`${arch} artifact: ${emulation.describe}`);
  // Backends bind qemu onto this file when it runs from inside the root.
  const mountPoints = emulation.qemu ? [emulation.qemu.inRoot] : [];
  const isStatic = report.linkage === 'static' || report.linkage === 'static-pie';
  const rows: MatrixRow[] = [];
  const specs = IMAGES.filter((s) => !o.only || o.only.includes(s.id));
  for (const [i, spec] of specs.entries()) {
    o.log.info(`[${i + 1}/${specs.length}] ${spec.id} (${spec.role})`);
    const blank = { id: spec.id, role: spec.role, source: null, removed: 0, libc: '?', libbz2: null, expected: null, exitCode: null, output: '', ms: 0, agree: null, emulation: null } as const;
    let image: Awaited<ReturnType<typeof prepareImage>>;
    try {
      image = await prepareImage(spec, arch, o.images, o.imageContext);
    } catch (err) {
      rows.push({ ...blank, image: spec.offline?.name ?? spec.online ?? spec.id, used: spec.offline?.label ?? spec.online ?? spec.id, variant: 'as-shipped', prediction: '', result: 'error', output: firstLine((err as Error).message) });
      continue;
    }
    if ('unavailable' in image) {
      rows.push({ ...blank, image: spec.online ?? spec.id, used: spec.online ?? spec.id, variant: 'as-shipped', prediction: '', result: 'unavailable', output: image.unavailable });
      continue;
    }
    const variants: Variant[] = ['as-shipped', 'without-libbz2', ...(isStatic ? (['without-libc'] as const) : [])];
    for (const variant of variants) {
      const v = await prepareVariant(image, variant, mountPoints);
      // Removing nothing would repeat the row above: only run a variant that changes the image.
      if (variant !== 'as-shipped' && v.removed.length === 0) continue;
      const facts = imageFacts(v.rootfs, arch, elf);
      const p = predict(elf, facts);
      await o.backend.prepare(v);
      const run = await o.backend.run({ variant: v, artifact: o.artifact, args: ['--version'], timeoutMs: o.timeoutMs, emulation });
      const result: RowResult = run.timedOut ? 'timeout' : run.exitCode === 0 ? 'pass' : 'fail';
      const row: MatrixRow = {
        ...blank,
        image: image.name,
        used: image.label,
        source: image.source,
        variant,
        removed: v.removed.length,
        libc: facts.libc,
        libbz2: facts.libbz2,
        expected: p.expected,
        prediction: p.reason,
        result,
        exitCode: run.exitCode,
        output: run.timedOut ? `no answer within ${o.timeoutMs / 1000} s` : firstLine(run.exitCode === 0 ? run.stdout : run.stderr || run.stdout),
        ms: Math.round(run.ms),
        agree: (result === 'pass') === (p.expected === 'pass'),
        emulation: emulation.mechanism,
      };
      rows.push(row);
      o.log.info(`    ${variant}: ${result}${row.agree ? '' : `  ✗ prediction was ${p.expected}`} (${row.output})`);
    }
  }
  const ok = rows.every((r) => r.result === 'unavailable' || r.agree === true);
  return { artifact: o.artifact, verdict: report.verdict, machine: report.machine, arch, backend: o.backend.name, isolation: o.backend.describe, emulation: emulation.mechanism, emulationDetail: emulation.describe, rows, ok };
}

/** The matrix as a terminal table; --json prints the report object instead. */
export function formatMatrix(r: MatrixReport): string {
  const head = ['image', 'variant', 'via', 'libc', 'libbz2', 'expected', 'result', 'exit', 'time', 'output'];
  const body = r.rows.map((row) => [
    row.image,
    row.variant,
    row.emulation ?? '-',
    row.libc,
    row.libbz2 === null ? '?' : row.libbz2 ? 'yes' : 'no',
    row.expected ?? '-',
    row.agree === false ? `${row.result} ✗` : row.result,
    row.exitCode === null ? '-' : String(row.exitCode),
    row.result === 'unavailable' || row.result === 'error' ? '-' : `${(row.ms / 1000).toFixed(2)} s`,
    row.output,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  const used = [...new Map(r.rows.map((row) => [row.id, `  ${row.role}: ${row.used}${row.source ? ` (${row.source})` : ''}`])).values()];
  const why = r.rows.filter((row) => row.prediction && row.expected === 'fail' && row.variant === 'as-shipped').map((row) => `  ${row.image}: ${row.prediction}`);
  return [
    `artifact: ${r.artifact}`,
    `verdict:  ${r.verdict}`,
    `backend:  ${r.backend} — ${r.isolation}`,
    `via:      ${r.emulationDetail}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    'roles → images used:',
    ...used,
    ...(why.length ? ['predicted failures:', ...why] : []),
    '',
    r.ok ? 'every row matched its prediction' : 'MISMATCH or error: see rows marked ✗ / error',
  ].join('\n');
}
