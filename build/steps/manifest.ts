import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { lazyAsset, lazyCacheAsset } from '../project/lazy-chunks.ts';
import { CACHE_ASSET, commandCacheAsset } from '../project/trained-cache.ts';

interface ArtifactEntry {
  file: string;
  sha256: string;
  size: number;
  arch: string;
  runtime: Omit<NonNullable<BuildContext['runtime']>, 'path'> & { size: number };
  inputs: { name: string; sha256: string; size: number; note?: string }[];
  /** The bundle's source map beside the artifact (steps/source-map.ts). */
  sourceMap?: { file: string; sha256: string; size: number };
  steps: { step: string; ms: number }[];
}

interface Manifest {
  schema: 1;
  name: string;
  version: string;
  commit: string;
  sourceDateEpoch: number;
  artifacts: Record<string, ArtifactEntry>;
}

/** manifest.json: what each artifact was made from (with hashes), on which runtime, and how long each step took. */
async function writeManifest(ctx: Ready<BuildContext, 'artifact' | 'runtime' | 'bundle' | 'blob'>): Promise<string> {
  const { artifact, runtime, bundle, blob } = ctx;
  const path = join(ctx.outDir, 'manifest.json');
  // Artifacts of the same version and commit (official and static) share one manifest.
  const previous = await readFile(path, 'utf8').then(
    (s) => JSON.parse(s) as Manifest,
    () => undefined,
  );
  const keep = previous && previous.version === ctx.version && previous.commit === ctx.commit ? previous.artifacts : {};
  const { path: runtimePath, ...runtimeFacts } = runtime;
  const lock = ctx.project.lockfile === undefined ? undefined : await fileFact(ctx.project.lockfile);
  const entry: ArtifactEntry = {
    file: artifact.name,
    sha256: artifact.sha256,
    size: artifact.size,
    arch: ctx.arch,
    runtime: { ...runtimeFacts, size: (await stat(runtimePath)).size },
    inputs: [
      { name: `bundle (${basename(bundle.path)})`, sha256: bundle.sha256, size: bundle.size },
      ...(ctx.assets ? [{ name: 'assets (seal-assets.bin)', sha256: ctx.assets.data.sha256, size: ctx.assets.data.size, note: `${ctx.assets.paths.length} file(s)` }] : []),
      ...(ctx.trained
        ? [
            {
              name: `code cache (${CACHE_ASSET})`,
              sha256: ctx.trained.defaultCache.cache.sha256,
              size: ctx.trained.defaultCache.cache.size,
              note: ctx.trained.defaultCache.runs ? `the default, trained by ${ctx.trained.defaultCache.runs} run(s)` : 'the default: the top level',
            },
          ]
        : []),
      ...(ctx.trained?.commands ?? []).map((c, i) => ({ name: `code cache (${commandCacheAsset(i)})`, sha256: c.cache.sha256, size: c.cache.size, note: `trained for ${JSON.stringify(c.word)}` })),
      ...(ctx.lazy ?? []).flatMap((c) => [
        { name: `lazy chunk (${lazyAsset(c.name)})`, sha256: c.file.sha256, size: c.file.size, note: `seal.lazy's ${c.name}, compiled at its first require` },
        ...(c.cache ? [{ name: `code cache (${lazyCacheAsset(c.name)})`, sha256: c.cache.sha256, size: c.cache.size, note: `${c.name}'s chunk, as loading it left it` }] : []),
      ]),
      { name: 'SEA blob', sha256: blob.sha256, size: blob.size, note: `start-up: ${blob.startup}${blob.trainedRuns ? `, trained on ${blob.trainedRuns} run(s)` : ''}` },
      ...(lock ? [{ name: basename(lock.path), sha256: lock.sha256, size: lock.size }] : []),
    ],
    ...(ctx.sourceMap ? { sourceMap: { file: basename(ctx.sourceMap.path), sha256: ctx.sourceMap.sha256, size: ctx.sourceMap.size } } : {}),
    steps: ctx.timings,
  };
  const manifest: Manifest = { schema: 1, name: ctx.name, version: ctx.version, commit: ctx.commit, sourceDateEpoch: ctx.sourceDateEpoch, artifacts: { ...keep, [artifact.name]: entry } };
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.manifest = await fileFact(path);
  return `${Object.keys(manifest.artifacts).length} artifact(s) described`;
}

export const manifestStep = distStep({ name: 'manifest', needs: ['artifact', 'runtime', 'bundle', 'blob'], run: writeManifest });
