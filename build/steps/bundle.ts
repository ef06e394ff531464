import { join, posix, relative } from 'node:path';
import { readElfFile } from '../../shared/elf/file.ts';
import { firstFew } from '../../shared/first-few.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { fileFact } from '../../shared/toolchain/file-hash.ts';
import type { BuildInfo } from '../../src/build-info.ts';
import { type BuildContext, distStep } from '../context.ts';
import type { Ready } from '../pipeline.ts';
import { type AddonTarget, judgeAddons } from '../project/addon-check.ts';
import { assetName } from '../project/assets.ts';
import { bundleProject } from '../project/bundle.ts';
import { coveredByAssets, type DynamicLoad } from '../project/dynamic-loads.ts';
import { PLACE_LIMITS } from '../project/load-places.ts';
import { fileOnDisk, treeRoot, VIRTUAL_ROOT, virtualPath } from '../project/virtual-paths.ts';
import { nodeHeaders } from '../runtime/node-headers.ts';
import { packEmbeddedFiles } from './assets.ts';

/** What the addon check needs to know of the runtime (project/addon-check.ts). */
function addonTarget(ctx: Ready<BuildContext, 'runtime'>): AddonTarget {
  const { runtime } = ctx;
  // The static runtime has no dynamic loader; neither has any other runtime without an ELF interpreter.
  const dlopen = ctx.runtimeRequest.kind !== 'static' && runtime.kind !== 'static' && readElfFile(runtime.path).interpreter !== null;
  return {
    runtime,
    dlopen,
    ...(ctx.launcher ? { launcher: ctx.launcher } : {}),
    projectRoot: ctx.project.root,
    headers: () => nodeHeaders({ nodeVersion: runtime.nodeVersion, arch: runtime.arch, cacheDir: ctx.cacheDir, ...(ctx.officialIntegrity ? { integrity: ctx.officialIntegrity } : {}) }),
  };
}

/** esbuild turns the project into one minified CommonJS file (what SEA runs; project/bundle.ts), with build facts baked in if asked. */
async function bundleSource(ctx: Ready<BuildContext, 'runtime'>): Promise<string> {
  const { runtime, project } = ctx;
  const info: BuildInfo = {
    version: ctx.version,
    commit: ctx.commit,
    sourceDateEpoch: ctx.sourceDateEpoch,
    runtime: { kind: runtime.kind, nodeVersion: runtime.nodeVersion, libc: runtime.libc, allocator: runtime.allocator, intl: runtime.intl ?? 'unknown' },
    startup: project.config.startup,
  };
  const outfile = join(ctx.workDir, `${ctx.name}.cjs`);
  const define = project.config.buildInfo ? { [project.config.buildInfo]: JSON.stringify(info) } : {};
  const addonWarnings: string[] = [];
  const { loads, addons, workers, unresolved, format, files, modules, lazy, lazyCandidates } = await bundleProject({
    project,
    outfile,
    target: `node${runtime.nodeVersion.split('.')[0]}`,
    minify: true,
    define,
    assets: ctx.assets?.paths ?? [],
    lazy: true,
    addons: async (found) => {
      if (found.length === 0) return [];
      const verdict = await judgeAddons(found, addonTarget(ctx));
      addonWarnings.push(...verdict.warnings);
      return verdict.embed;
    },
  });
  // Native addons, worker files and files required by exact path travel with the assets: the preludes load them from there.
  const addonFiles = addons.flatMap((a) => [a.file, ...(a.libraries ?? [])]);
  if (addonFiles.length > 0 || workers.length > 0 || files.length > 0) await packEmbeddedFiles(ctx, [...addonFiles, ...files], workers);
  for (const w of addonWarnings) ctx.log.info(`  warning: ${w}`);
  const twice = lazy.flatMap((c) => c.shared.map((s) => ({ name: c.name, ...s })));
  for (const t of twice)
    ctx.log.info(`  warning: seal.lazy: ${t.name}'s chunk and ${t.with} both hold ${firstFew(t.files, 3)}: each runs twice, with its own state (make the package they are from lazy too, or take ${t.name} out of seal.lazy)`);
  // As Node would, a missing module fails only if the line that needs it runs (project/unresolved.ts).
  for (const u of unresolved.slice(0, 10)) {
    if (u.noLoader)
      ctx.log.info(
        `  warning: ${u.at}: ${relative(project.root, u.spec)} has an extension esbuild has no loader for (a require of a template literal takes every file there): bundled as JavaScript, as Node would load it (a require of it throws the SyntaxError Node would if it is none)`,
      );
    else ctx.log.info(`  warning: ${u.at}: '${u.spec}' cannot be resolved (not installed, or not in the package); left to run time, where that line fails if it runs`);
  }
  if (unresolved.length > 10) ctx.log.info(`  warning: … and ${unresolved.length - 10} more imports that cannot be resolved`);
  // A chunk gets esbuild's bundling alone: what the main bundle embeds for loads esbuild cannot follow, it does not.
  const unfollowed = lazy.filter((c) => c.loads.length > 0);
  for (const c of unfollowed)
    ctx.log.info(
      `  warning: seal.lazy: ${c.name}'s chunk loads what esbuild could not follow (${firstFew(
        c.loads.map((l) => `${l.at}: ${l.code}`),
        3,
        '; ',
      )}): the main bundle embeds what such loads need, a chunk does not, so at run time they find nothing there; take ${c.name} out of seal.lazy if it needs them`,
    );
  // A hint, not a warning: the program works as it is.
  for (const c of lazyCandidates)
    ctx.log.info(
      `  note: ${c.name} (with what only it brings) is ${(c.bytes / 1024).toFixed(1)} KiB of the bundle, and the program reaches it only through an import(): "lazy": ["${c.name}"] in seal would keep it out of every start that does not (docs/toolchain.md, seal.lazy)`,
    );
  const warned = judgeLoads(ctx, loads, new Set(modules)) + addonWarnings.length + unresolved.length + twice.length + unfollowed.length;
  ctx.bundle = { ...(await fileFact(outfile)), format };
  ctx.lazy = await Promise.all(lazy.map(async (c) => ({ name: c.name, file: await fileFact(c.file) })));
  const chunks = lazy.length > 0 ? `, lazy: ${lazy.map((c) => `${c.name} ${(c.bytes / 1024).toFixed(1)} KiB`).join(', ')}` : '';
  const bins = Object.keys(project.config.bins);
  const required = files.length > 0 ? `, ${files.length} file(s) loaded by exact path embedded` : '';
  const known = modules.length > 0 ? `, ${modules.length} module(s) required by a path known in full bundled` : '';
  const started = workers.length > 0 ? `, ${workers.length} worker file(s)` : '';
  // A SEA's main script is CommonJS: a program with top-level await runs as an ES module behind a launcher (project/esm-launcher.ts).
  const esm = format === 'esm' ? ', an ES module (top-level await) run by a module hook, without code cache' : '';
  const natives = addons.length > 0 ? `, ${addons.length} native addon(s): ${[...new Set(addons.map((a) => a.packageName))].join(', ')}` : '';
  return `${(ctx.bundle.size / 1024).toFixed(1)} KiB${esm}${bins.length > 1 ? `, ${bins.length} bins: ${bins.join(', ')}` : ''}${natives}${started}${required}${known}${chunks}${warned ? `, ${warned} warning(s)` : ''}`;
}

/** How a report says what a load does with the file. */
const VERBS: Record<DynamicLoad['kind'], string> = { require: 'loads', process: 'starts as node', read: 'reads', worker: 'starts a worker on', hidden: 'imports' };

/**
 * The loads esbuild could not follow (project/dynamic-loads.ts): one into the project must find its files among
 * the assets, or the binary would fail where plain node works — an error naming each and the glob to add;
 * any other is a warning naming file and line. Returns how many were warned about.
 */
function judgeLoads(ctx: Ready<BuildContext, 'runtime'>, loads: DynamicLoad[], bundled: ReadonlySet<string>): number {
  const { project } = ctx;
  const assets = ctx.assets?.paths ?? [];
  const home = virtualPath(treeRoot(project), project.root);
  const embedded = (l: DynamicLoad) => l.into !== undefined && ((l.bundled && bundled.has(l.into)) || coveredByAssets(l.into, assets) || (l.place !== undefined && !l.place.tooMany));
  // Platform packages a computed name picks among: those left out (another libc or machine) are not missing, unless all are.
  const picked = new Set(loads.filter((l) => l.oneOf && embedded(l)).map((l) => l.at));
  // A read named in full that was not embedded names a file the package does not have: the binary reads nothing there, as
  // node would. So does a require of one named in full (a napi-rs loader tries `./<name>.<platform>.node` beside itself
  // for every platform before the platform package): it fails at run time, as under node.
  const tree = treeRoot(project);
  const absent = (l: DynamicLoad) => l.exact === true && l.into !== undefined && (l.kind === 'read' || fileOnDisk(tree, l.into) === undefined);
  const unembedded = loads.filter((l) => l.into !== undefined && !embedded(l) && !(l.oneOf && picked.has(l.at)) && !absent(l));
  // Where a load points, as a report names it: relative to the package, or in full outside it.
  const shown = (into: string) => {
    const rel = posix.relative(home, into);
    return rel.startsWith('..') ? into : rel || '.';
  };
  const describe = (l: DynamicLoad) => {
    const into = l.into ?? home;
    // A dependency's file outside the package (npm hoisted it): named as node_modules/<dependency>/…, which seal.assets finds where it is installed.
    const named = assetName(home, into);
    const glob = named === undefined ? `(outside the package: ${into})` : `"${into.endsWith('/') ? `${named ? `${named.replace(/\/$/, '')}/` : ''}**` : named}"`;
    // A place too large to embed without asking (load-places.ts): said, so the glob can be narrowed to what it needs.
    const large = l.place?.tooMany ? ` (more than ${PLACE_LIMITS.files} files or ${PLACE_LIMITS.bytes / 1024 / 1024} MiB there, too many to embed without asking: name what it loads)` : '';
    return `  ${l.at}: ${l.code} ${VERBS[l.kind]} ${shown(into)} — add ${glob} to seal.assets${large}`;
  };
  const noneLoads = [...new Set(unembedded.filter((l) => l.oneOf).map((l) => l.at))];
  if (noneLoads.length > 0) {
    const choices = (at: string) => unembedded.filter((l) => l.oneOf && l.at === at).map((l) => posix.relative(home, l.into ?? home));
    throw new BuildError(
      `the program picks a platform package by a computed name, and none installed loads in this runtime (linux-${ctx.runtime.arch}, ${ctx.runtime.libc}):\n${noneLoads.map((at) => `  ${at}: ${choices(at).join(', ')}`).join('\n')}\nInstall the package for linux-${ctx.runtime.arch} (npm installs the one for the machine it runs on).`,
    );
  }
  // A module the program loads or starts as node must be there; a read may be guarded.
  const loadsMissing = unembedded.filter((l) => l.kind === 'require' || l.kind === 'process');
  if (loadsMissing.length > 0) {
    throw new BuildError(`the program loads files of its own package through computed paths that the bundle cannot follow, and seal.assets does not embed them:\n${loadsMissing.map(describe).join('\n')}`);
  }
  // A read may be guarded (an optional config file next to the code): said, not refused.
  const warnings = [
    ...unembedded.filter((l) => l.kind === 'read').map((l) => `${describe(l).trim()} (or it fails at run time)`),
    ...loads.filter((l) => l.kind === 'hidden' && !l.exact).map((l) => hiddenImportWarning(l, home)),
    ...loads
      .filter((l) => l.into === undefined && l.kind !== 'hidden' && !l.omitted)
      .map((l) => `${l.at}: ${l.code} — a computed path esbuild cannot bundle: at run time a relative name loads from the module's place under ${VIRTUAL_ROOT} (what seal.assets embeds there), any other from the real file system`),
  ];
  // Embedded without asking (load-places.ts), so said once, as a note: what and how much, for seal.assets to narrow.
  for (const l of loads.filter((x) => x.place !== undefined && !x.place.tooMany)) {
    const into = l.into ?? home;
    const name = shown(into);
    const place = into.endsWith('/') && !name.endsWith('/') ? `${name}/` : name;
    ctx.log.info(
      `  note: ${l.at}: ${l.code} ${l.mentioned ? `names ${place}, a directory the program may read later` : `${VERBS[l.kind]} ${place}${place.endsWith('/') ? '' : '…'} by a computed path`}: its ${l.place?.files} file(s), ${((l.place?.bytes ?? 0) / 1024).toFixed(1)} KiB, embedded (seal.assets can name fewer)`,
    );
  }
  // Asked for, so said once and not counted as a warning.
  for (const l of loads.filter((x) => x.omitted)) ctx.log.info(`  note: ${l.at}: ${l.code} — left out (seal.omit): at run time it loads as if the package were not installed`);
  for (const w of warnings.slice(0, 10)) ctx.log.info(`  warning: ${w}`);
  if (warnings.length > 10) ctx.log.info(`  warning: … and ${warnings.length - 10} more`);
  return warnings.length;
}

/** An import() hidden in new Function: where a relative name resolves in the binary (virtual-paths.ts), if it was made to. */
function hiddenImportWarning(l: DynamicLoad, home: string): string {
  const hides = `${l.at}: ${l.code} hides an import() from the bundler`;
  if (l.into === undefined) return `${hides}; what it imports is resolved at run time against the working directory, so files of the package cannot load this way`;
  return `${hides}; in the binary a relative name imports from ${posix.relative(home, l.into) || '.'}/ among the embedded files: a file a call names literally is embedded with what it imports, any other must be in seal.assets`;
}

export const bundleStep = distStep({ name: 'bundle', needs: ['runtime'], run: bundleSource });
