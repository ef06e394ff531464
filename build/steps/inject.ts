import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'postject';
import { readElfFile } from '../../shared/elf/file.ts';
import type { Note } from '../../shared/elf/parse.ts';
import { findSeaBlob, SEA_BLOB_NOTE, SEA_FUSE } from '../../shared/elf/sea.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { sha256File } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import type { Runtime } from '../runtime/runtime.ts';

/*
 * postject needs seconds and most of a gigabyte per injection into a 100 MB runtime (it copies the
 * whole binary into LIEF's WASM heap and back; docs/benchmarks.md, "Design figures"). So postject runs once per runtime and blob
 * capacity, injecting a zero-filled blob into a cached "template"; every build then copies the
 * template and writes the real blob into that note, setting the note's size. The bytes left over
 * stay zero, which postject's own note walker (and Node's) skips as empty notes.
 */

const MIN_CAPACITY = 1 << 20;

/** Room reserved for the blob: a pure function of its size, so cold and cached builds give equal bytes. */
export function blobCapacity(size: number): number {
  return Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(Math.max(1, size))));
}

interface TemplateRecord {
  runtimeSha256: string;
  capacity: number;
  sha256: string;
}

async function seaTemplate(ctx: BuildContext, runtime: Runtime, capacity: number): Promise<{ path: string; note: Note }> {
  const dir = join(ctx.cacheDir, 'sea-templates', `${runtime.sha256.slice(0, 16)}-${capacity}`);
  const path = join(dir, 'runtime');
  const recordPath = join(dir, 'template.json');
  const record = await readFile(recordPath, 'utf8').then(
    (s) => JSON.parse(s) as TemplateRecord,
    () => undefined,
  );
  if (!record || record.runtimeSha256 !== runtime.sha256 || !existsSync(path) || (await sha256File(path)) !== record.sha256) {
    ctx.log.info(`  preparing the SEA template for this runtime with postject (once per runtime; ~730 MB, a few seconds)`);
    await mkdir(dir, { recursive: true });
    const scratch = `${path}.partial`;
    await copyFile(runtime.path, scratch);
    const warnings = await quietly(() => inject(scratch, SEA_BLOB_NOTE, Buffer.alloc(capacity), { sentinelFuse: SEA_FUSE })).catch((err: unknown) => {
      const e = err as Error & { warnings?: string[] };
      throw new BuildError(`postject could not inject into ${runtime.path}: ${e.message}${e.warnings?.length ? `\n  postject said: ${e.warnings.join('\n  ')}` : ''}`);
    });
    if (warnings.length) ctx.log.info(`  postject: ${new Set(warnings).size} distinct LIEF warning(s) hidden, e.g. "${warnings[0]}"`);
    await rename(scratch, path);
    await writeFile(recordPath, JSON.stringify({ runtimeSha256: runtime.sha256, capacity, sha256: await sha256File(path) } satisfies TemplateRecord, null, 2));
  }
  const note = findSeaBlob(readElfFile(path).notes);
  if (!note || note.descSize !== capacity) {
    await rm(dir, { recursive: true, force: true });
    throw new BuildError(`postject reported success but the template holds no ${capacity}-byte NODE_SEA_BLOB note (postject issue 107: does the runtime have a PT_NOTE segment?)`);
  }
  return { path, note };
}

/** Copies the cached template for this runtime to `target` and writes the blob at `blobPath` into its NODE_SEA_BLOB note. */
export async function injectInto(ctx: Ready<BuildContext, 'runtime'>, blobPath: string, target: string): Promise<{ size: number; capacity: number }> {
  const data = readFileSync(blobPath);
  const capacity = blobCapacity(data.length);
  const template = await seaTemplate(ctx, ctx.runtime, capacity);
  await copyFile(template.path, target);
  await chmod(target, 0o755);
  const fd = await open(target, 'r+');
  try {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(data.length);
    await fd.write(size, 0, 4, template.note.offset + 4);
    await fd.write(data, 0, data.length, template.note.descOffset);
  } finally {
    await fd.close();
  }
  return { size: data.length, capacity };
}

async function injectBlob(ctx: Ready<BuildContext, 'runtime' | 'blob'>): Promise<string> {
  const target = join(ctx.workDir, 'artifact');
  const { size, capacity } = await injectInto(ctx, ctx.blob.path, target);
  ctx.injected = target;
  return `blob written into the NODE_SEA_BLOB note (${size} of ${capacity} bytes reserved)`;
}

/**
 * postject's LIEF core prints "Can't find string offset for section name" warnings for every stripped
 * runtime; they are harmless but bury the build log. Collect them and show them only on failure.
 */
async function quietly(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const { warn, log } = console;
  console.warn = console.log = (...args: unknown[]) => void seen.push(args.join(' ').trim());
  try {
    await fn();
    return seen;
  } catch (err) {
    throw Object.assign(err as Error, { warnings: seen });
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

export const injectStep = distStep({ name: 'inject', needs: ['runtime', 'blob'], run: injectBlob });
