/*
 * Which native addons the binary embeds, or why it cannot be built with them. Read from each .node file
 * (shared/elf/node-addon.ts), before anything ships:
 *  - a runtime with no dynamic loader (the static one) cannot load any addon: the build stops, naming each;
 *  - an addon must be an ELF for the runtime's machine (prebuilds for other platforms are left out);
 *  - a Node-API addon loads in any runtime; any other must register with the runtime's NODE_MODULE_VERSION,
 *    which the runtime itself reports. A package that has no addon the runtime can load stops the build
 *    with the command that rebuilds it against the runtime's headers.
 */
import { relative, sep } from 'node:path';
import { execa } from 'execa';
import { readNodeAddon } from '../../shared/elf/file.ts';
import type { AddonFacts } from '../../shared/elf/node-addon.ts';
import { ElfError } from '../../shared/elf/parse.ts';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import type { Launcher } from '../runtime/launcher.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { AddonFile } from './addon-files.ts';
import { originLibraries } from './addon-libraries.ts';

const MACHINES: Record<Arch, number> = { x64: 62, arm64: 183 };

export interface AddonTarget {
  runtime: Pick<Runtime, 'path' | 'arch' | 'nodeVersion' | 'libc'>;
  /** False for a runtime without a dynamic loader (the static one): it can load no addon at all. */
  dlopen: boolean;
  /** Runs the runtime here; without it the runtime cannot be asked its NODE_MODULE_VERSION. */
  launcher?: Launcher;
  projectRoot: string;
  /** The --nodedir a rebuild needs (the runtime's headers, runtime/node-headers.ts); throws when they cannot be had. */
  headers: () => Promise<string>;
}

export interface AddonVerdict {
  embed: AddonFile[];
  warnings: string[];
}

type Read = { addon: AddonFile; facts: AddonFacts } | { addon: AddonFile; error: string };
type Abi = { ok: true } | { ok: false; built: string } | { ok: false; problem: string };

function read(addon: AddonFile): Read {
  try {
    return { addon, facts: readNodeAddon(addon.file) };
  } catch (err) {
    if (err instanceof ElfError) return { addon, error: err.message };
    throw err;
  }
}

async function runtimeSays(t: AddonTarget, args: string[]): Promise<{ exitCode?: number; stdout: string; stderr: string }> {
  if (!t.launcher) throw new BuildError(`runtime ${t.runtime.path} cannot run on this host, so it cannot be asked which native addons it loads`);
  const [cmd, argv] = t.launcher.command(t.runtime.path, args);
  return execa(cmd, argv, { reject: false, timeout: 60_000, env: { NODE_OPTIONS: '' } });
}

/** process.versions.modules, as the runtime itself reports it (a table by Node version would miss custom runtimes). */
async function moduleVersion(t: AddonTarget): Promise<number> {
  const r = await runtimeSays(t, ['-p', 'process.versions.modules']);
  const version = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isInteger(version)) throw new BuildError(`runtime ${t.runtime.path} did not report its NODE_MODULE_VERSION: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return version;
}

/** Node's own check, for an addon whose version cannot be read: load it once in the runtime. */
async function tryLoad(t: AddonTarget, file: string): Promise<Abi> {
  const r = await runtimeSays(t, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file]);
  if (r.exitCode === 0) return { ok: true };
  const built = /using\s+NODE_MODULE_VERSION (\d+)/.exec(r.stderr)?.[1];
  if (built !== undefined) return { ok: false, built: `NODE_MODULE_VERSION ${built} (as the runtime reports when loading it)` };
  const why = r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.trim().split('\n')[0];
  return { ok: false, problem: `the runtime cannot load it: ${why}` };
}

function rebuildCommand(a: AddonFile, projectRoot: string, nodedir: string): string {
  if (a.packageDir === projectRoot) return `cd ${projectRoot} && npx node-gyp rebuild --nodedir=${nodedir}`;
  const installer = a.packageDir.slice(0, a.packageDir.lastIndexOf(`${sep}node_modules${sep}`));
  // From source: an install script's prebuilt download would match the Node running npm, not the runtime.
  return `cd ${installer || projectRoot} && npm_config_build_from_source=true npm rebuild ${a.packageName} --nodedir=${nodedir}`;
}

/** The program loads native addons and the runtime has no dynamic loader: a target left to choose its runtime turns to the official one. */
export class AddonsNeedLoader extends BuildError {
  override name = 'AddonsNeedLoader';
}

function staticRefusal(needed: Read[], t: AddonTarget): BuildError {
  const names = [...new Set(needed.map((r) => r.addon.packageName))];
  return new AddonsNeedLoader(
    [
      `the static runtime cannot load native addons: it is a fully static musl binary with no dynamic loader, so it cannot dlopen a .node file. The program needs:`,
      ...needed.map((r) => `  ${r.addon.packageName}: ${relative(t.projectRoot, r.addon.file)}`),
      `Build this target on the official runtime (--runtime official, or linux-${t.runtime.arch} or linux-${t.runtime.arch}-official instead of linux-${t.runtime.arch}-static in seal.targets), or replace ${names.join(', ')} with a WebAssembly build, which the static runtime runs.`,
    ].join('\n'),
  );
}

/** The addons to embed among those found (addon-files.ts); a BuildError naming each one that cannot load, and what to do. */
export async function judgeAddons(found: AddonFile[], t: AddonTarget): Promise<AddonVerdict> {
  const machine = MACHINES[t.runtime.arch];
  // Files for other platforms (a package's prebuilds for macOS, Windows, arm64…) are not this binary's business, unless required by path.
  const here = found.map(read).filter((r) => r.addon.required || ('facts' in r && r.facts.machineCode === machine));
  if (here.length === 0) return { embed: [], warnings: [] };
  if (!t.dlopen) throw staticRefusal(here, t);

  let need: Promise<number> | undefined;
  const problems: string[] = [];
  const verdicts: { addon: AddonFile; abi: Abi; facts: AddonFacts }[] = [];
  for (const r of here) {
    const shown = `${r.addon.packageName}: ${relative(t.projectRoot, r.addon.file)}`;
    if ('error' in r) {
      problems.push(`${shown} is not a Linux native addon (${r.error})`);
      continue;
    }
    const { facts, addon } = r;
    if (facts.machineCode !== machine) {
      problems.push(`${shown} is built for ${facts.machine}; the runtime is linux-${t.runtime.arch}: reinstall the package on (or for) linux-${t.runtime.arch}`);
      continue;
    }
    // A prebuild for musl (node-gyp-build picks it only on Alpine) beside the glibc one.
    if (t.runtime.libc === 'glibc' && facts.libc === 'musl') {
      if (addon.required) problems.push(`${shown} is built against musl; the runtime uses glibc: reinstall the package on a glibc system`);
      continue;
    }
    const reg = facts.registration;
    let abi: Abi;
    if (reg.kind === 'node-api') abi = { ok: true };
    else if (reg.kind === 'module-version') {
      need ??= moduleVersion(t);
      abi = reg.version === (await need) ? { ok: true } : { ok: false, built: `NODE_MODULE_VERSION ${reg.version}` };
    } else if (reg.kind === 'unknown') abi = await tryLoad(t, addon.file);
    else abi = { ok: false, problem: `Node would not load it: ${reg.why}` };
    verdicts.push({ addon, abi, facts });
  }

  const loads = (pkg: string) => verdicts.some((v) => v.addon.packageDir === pkg && v.abi.ok);
  const rebuild: AddonFile[] = [];
  for (const { addon, abi } of verdicts) {
    // A package's addon built for another ABI is left out when the package has one the runtime loads (prebuilds per ABI).
    if (abi.ok || (!addon.required && loads(addon.packageDir))) continue;
    const shown = `${addon.packageName}: ${relative(t.projectRoot, addon.file)}`;
    if ('problem' in abi) {
      if (addon.required) problems.push(`${shown}: ${abi.problem}`);
      continue;
    }
    need ??= moduleVersion(t);
    problems.push(`${shown} is built for ${abi.built}; the runtime (Node ${t.runtime.nodeVersion}) has NODE_MODULE_VERSION ${await need}`);
    if (!rebuild.some((a) => a.packageDir === addon.packageDir)) rebuild.push(addon);
  }
  if (problems.length > 0) {
    let how: string[] = [];
    if (rebuild.length > 0) {
      const nodedir = await t.headers().catch((err: Error) => `~/.cache/node-gyp/${t.runtime.nodeVersion} (${err.message}; 'npx node-gyp install ${t.runtime.nodeVersion}' puts them there)`);
      how = [`Rebuild against the runtime's headers, then pack again:`, ...rebuild.map((a) => `  ${rebuildCommand(a, t.projectRoot, nodedir)}`)];
    }
    throw new BuildError([`native addons the program needs would not load in the binary:`, ...problems.map((p) => `  ${p}`), ...how].join('\n'));
  }
  const embed = verdicts.filter((v) => v.abi.ok).map((v) => ({ ...v, libraries: originLibraries(v.addon.file, v.facts, readNodeAddon) }));
  const warnings = embed
    .filter((v) => v.libraries.missing.length > 0)
    .map(
      (v) =>
        `${v.addon.packageName}: ${relative(t.projectRoot, v.addon.file)} loads ${v.libraries.missing.join(', ')} from beside itself ($ORIGIN: ${v.facts.originPaths.join(':')}), and no such file is there on this machine; it must be installed where the binary runs`,
    );
  return { embed: embed.map((v) => (v.libraries.found.length > 0 ? { ...v.addon, libraries: v.libraries.found } : v.addon)), warnings };
}
