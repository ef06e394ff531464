/*
 * A project's `seal` section in its package.json: what the toolchain needs to know to turn it into one
 * executable. Validated up front as esbuild validates its options: an unknown key or a bad value is a
 * ConfigError naming the key, the value and what is allowed, before anything is built.
 * Pure: package.json's parsed object in, a complete config (defaults filled in) out.
 */
import { alternatives } from '../../shared/cli-args/usage-error.ts';
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { INTL_MODES, type IntlMode } from '../runtime/static/context.ts';

/** A mistake in package.json's `seal` section (or the fields it falls back on); exit 1 like any build error. */
export class ConfigError extends BuildError {
  override name = 'ConfigError';
}

/** auto: the static runtime when one is at hand (cached or pinned), else the official one. */
export type RuntimeKind = 'auto' | 'official' | 'static';

/** One binary to make: `linux-<arch>` (auto), `linux-<arch>-official`, `linux-<arch>-static`. */
export interface Target {
  arch: Arch;
  runtime: RuntimeKind;
}

export interface SealConfig {
  /** The artifact's base name: `<name>-<version>-linux-<arch>[-static]`. */
  name: string;
  /** Paths relative to the project root. One entry is the program; several are bins the binary dispatches to. */
  bins: Record<string, string>;
  /** Globs (relative to the project) of files the program reads at run time; embedded and readable through fs under its __dirname. */
  assets: string[];
  /**
   * Packages the binary leaves out of what it embeds for loads esbuild cannot follow: an optional
   * `createRequire(import.meta.url)('picomatch')` the program does without (fdir's, under broker) is not embedded, and
   * at run time it fails as if the package were not installed. What esbuild bundles is not affected.
   */
  omit: string[];
  /**
   * Packages kept out of the bundle: embedded with what they load and run from the embedded files, as under node,
   * required by name from the bundle. For a package whose functions' source is rebuilt elsewhere (a worker given
   * `fn.toString()`), which in a bundle names the bundle's internals.
   */
  external: string[];
  /**
   * Packages bundled apart from the program, each into a chunk of its own that the binary compiles the first time the
   * program requires the package (lazy-chunks.ts): for a large package only some commands use, which then costs the
   * other commands' starts nothing.
   */
  lazy: string[];
  /** Global constant → entry file: that file is bundled on its own and the constant holds its code (for `new Worker(code, { eval: true })`). */
  workers: Record<string, string>;
  /** Global constant that holds the build facts (version, commit, source date, runtime), if the program wants them. */
  buildInfo?: string;
  /** Node options every start of the binary gets (the SEA blob's execArgv). */
  nodeOptions: string[];
  /** The Node line (major version) to build on; the toolchain's default line when absent. Checked against the lines the toolchain pins when a build starts. */
  node?: string;
  /** How the binary gets to the program's first line (STARTUPS). */
  startup: Startup;
  /**
   * Runs of the program at build time whose compiled code goes into the code cache (steps/train.ts): without them the
   * cache holds the bundle's top level only, and each start compiles every function it calls. Empty: no training.
   */
  train: TrainRun[];
  /**
   * The static runtime's ICU: full (every locale, the default, as the official runtime), small (English only, ~24 MiB
   * smaller), none (no Intl: `\p{…}` in a RegExp fails to parse). The official runtime always has full ICU.
   */
  intl: IntlMode;
  /**
   * The static runtime with V8 pointer compression (`npm run runtime -- --pointer-compression`): a smaller heap and a
   * faster start, for a 4 GiB cap on the process's V8 heap and no native addons built for the usual layout. Off by
   * default; the official runtime has none.
   */
  pointerCompression: boolean;
  /**
   * What verify runs on the finished binary: exit 0, nothing on stderr, and stdout matching the pattern if one is given.
   * `printed`: the default check (no seal.smoke), which also wants some stdout — a `--version` that prints nothing is a
   * program that did not run (zx's binary exited 0 so when its main-module check failed).
   */
  smoke: { args: string[]; stdout?: string; printed?: true };
  targets: Target[];
}

const KEYS = ['entry', 'name', 'assets', 'omit', 'external', 'lazy', 'workers', 'buildInfo', 'nodeOptions', 'node', 'startup', 'train', 'intl', 'pointerCompression', 'smoke', 'targets'] as const;

/** One training run: the binary started with `args` (`{root}` in one stands for the project's directory). */
export interface TrainRun {
  args: string[];
  /**
   * For a program that runs until stopped (a server): SIGTERM as soon as a line of its stdout or stderr matches this
   * regular expression (when it says it is ready: the same point every build, where a timer would race the machine's
   * load); it must then exit by itself.
   */
  stopWhen?: string;
}

/**
 * seal.startup: 'code-cache' (the default, the fastest measured: docs/benchmarks.md, "Where start-up time goes") puts
 * V8's code for the bundle's top level in the blob; 'snapshot' runs the program at build time and puts the heap it
 * leaves in the blob (a V8 start-up snapshot: the program must call v8.startupSnapshot.setDeserializeMainFunction);
 * 'none' compiles the bundle at every start (the smallest file).
 */
export const STARTUPS = ['code-cache', 'snapshot', 'none'] as const;
export type Startup = (typeof STARTUPS)[number];
const SMOKE_KEYS = ['args', 'stdout'] as const;
const TRAIN_KEYS = ['args', 'stopWhen'] as const;
const TARGETS = ['linux-x64', 'linux-arm64', 'linux-x64-official', 'linux-arm64-official', 'linux-x64-static', 'linux-arm64-static'] as const;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type Json = unknown;

function describe(value: Json): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function bad(key: string, value: Json, allowed: string): ConfigError {
  return new ConfigError(`package.json: ${key} must be ${allowed}, got ${describe(value)}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(key: string, obj: Record<string, Json>, known: readonly string[]): void {
  const unknown = Object.keys(obj).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new ConfigError(`package.json: unknown key ${key}.${unknown}; the keys of ${key} are ${alternatives(known)}`);
}

function relativePath(key: string, v: Json): string {
  if (typeof v !== 'string' || v === '' || v.startsWith('/') || v.split(/[\\/]/).includes('..')) throw bad(key, v, 'a path inside the project, relative to package.json');
  return v.replace(/^\.\//, '');
}

function stringList(key: string, v: Json): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(key, v, 'an array of strings');
  return v as string[];
}

function globList(key: string, v: Json): string[] {
  const list = stringList(key, v);
  for (const g of list) {
    if (g === '' || g.startsWith('/') || g.split('/').includes('..')) throw bad(`${key} entry`, g, 'a glob inside the project, relative to package.json (e.g. "templates/**")');
  }
  return list;
}

/** npm's rule for a package name, scoped or not. */
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

function packageList(key: string, v: Json): string[] {
  const list = stringList(key, v);
  for (const name of list) if (!PACKAGE_NAME.test(name)) throw bad(`${key} entry`, name, 'a package name (e.g. "picomatch" or "@scope/name")');
  return list;
}

function workers(key: string, v: Json): Record<string, string> {
  if (!isObject(v)) throw bad(key, v, 'an object mapping a global constant name to an entry file');
  const out: Record<string, string> = {};
  for (const [name, file] of Object.entries(v)) {
    if (!IDENTIFIER.test(name)) throw bad(`${key} key`, name, 'a JavaScript identifier (the global constant that holds the bundled code)');
    out[name] = relativePath(`${key}.${name}`, file);
  }
  return out;
}

function smoke(key: string, v: Json, defaultArgs: string[]): SealConfig['smoke'] {
  if (!isObject(v)) throw bad(key, v, 'an object { args, stdout }');
  checkKeys(key, v, SMOKE_KEYS);
  const args = v.args === undefined ? defaultArgs : stringList(`${key}.args`, v.args);
  if (v.stdout === undefined) return { args };
  if (typeof v.stdout !== 'string') throw bad(`${key}.stdout`, v.stdout, "a regular expression as a string ({name} and {version} stand for the package's)");
  try {
    new RegExp(v.stdout);
  } catch (err) {
    throw bad(`${key}.stdout`, v.stdout, `a valid regular expression (${(err as Error).message})`);
  }
  return { args, stdout: v.stdout };
}

function trainRuns(key: string, v: Json): TrainRun[] {
  if (!Array.isArray(v)) throw bad(key, v, 'an array of runs { args, stopWhen? }');
  return v.map((run, i) => {
    const at = `${key}[${i}]`;
    if (!isObject(run)) throw bad(at, run, 'an object { args, stopWhen? } (e.g. { "args": ["--help"] })');
    checkKeys(at, run, TRAIN_KEYS);
    const args = stringList(`${at}.args`, run.args);
    const stop = run.stopWhen;
    if (stop === undefined) return { args };
    const allowed = 'a regular expression as a string, matched against each line the run prints (e.g. "listening on")';
    if (typeof stop !== 'string' || stop === '') throw bad(`${at}.stopWhen`, stop, allowed);
    try {
      new RegExp(stop);
    } catch (err) {
      throw bad(`${at}.stopWhen`, stop, `${allowed}; ${(err as Error).message}`);
    }
    return { args, stopWhen: stop };
  });
}

function targets(key: string, v: Json): Target[] {
  if (!Array.isArray(v) || v.length === 0) throw bad(key, v, `a non-empty array of ${alternatives(TARGETS)}`);
  const list = [...new Set(v)].map((t) => {
    if (typeof t !== 'string' || !(TARGETS as readonly string[]).includes(t)) throw bad(`${key} entry`, t, alternatives(TARGETS));
    return parseTarget(t as (typeof TARGETS)[number]);
  });
  // linux-x64 is whichever runtime is at hand, so beside linux-x64-static or -official it may build that same file.
  for (const auto of list.filter((t) => t.runtime === 'auto')) {
    const named = list.find((t) => t.arch === auto.arch && t.runtime !== 'auto');
    if (named)
      throw bad(
        key,
        v,
        `each file once: linux-${auto.arch} (the static runtime when at hand, else the official) would build the same file as linux-${auto.arch}-${named.runtime} when it picks that one; name both runtimes (linux-${auto.arch}-static and linux-${auto.arch}-official)`,
      );
  }
  return list;
}

function parseTarget(t: (typeof TARGETS)[number]): Target {
  const [, arch, runtime = 'auto'] = t.split('-');
  return { arch: arch as Arch, runtime: runtime as RuntimeKind };
}

/** The bins package.json declares: `bin` as a string (named after the package) or an object. */
function declaredBins(pkg: Record<string, Json>, unscoped: string): Record<string, string> {
  const { bin } = pkg;
  if (bin === undefined) return {};
  if (typeof bin === 'string') return { [unscoped]: relativePath('bin', bin) };
  if (!isObject(bin)) throw bad('bin', bin, 'a path or an object of command name → path');
  const bins = Object.entries(bin).map(([cmd, file]): [string, string] => [cmd, relativePath(`bin.${cmd}`, file)]);
  // Several names for one file (yarn and yarnpkg): one program, which runs whatever the binary is called, with no
  // command name to give first.
  const [first] = bins;
  if (first && bins.every(([, file]) => file === first[1])) return { [first[0]]: first[1] };
  return Object.fromEntries(bins);
}

/** package.json's parsed object → the project's complete seal config. */
export function sealConfig(pkg: Json): { packageName: string; version: string; config: SealConfig } {
  if (!isObject(pkg)) throw new ConfigError('package.json is not a JSON object');
  if (typeof pkg.name !== 'string' || pkg.name === '') throw bad('name', pkg.name, 'the package name (a non-empty string)');
  if (typeof pkg.version !== 'string' || pkg.version === '') throw bad('version', pkg.version, 'the package version (a non-empty string)');
  const raw = pkg.seal ?? {};
  if (!isObject(raw)) throw bad('seal', raw, 'an object');
  // Before the unknown-key check: a config from before seal.startup gets told what replaced its key.
  if ('codeCache' in raw)
    throw new ConfigError(
      `package.json: seal.codeCache was replaced by seal.startup: ${raw.codeCache === false ? '"startup": "none"' : 'leave it out (the code cache is the default) or set "startup"'} — one of ${STARTUPS.map((x) => `"${x}"`).join(', ')}`,
    );
  checkKeys('seal', raw, KEYS);
  const unscoped = pkg.name.replace(/^@[^/]+\//, '');
  const name = raw.name === undefined ? unscoped : raw.name;
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw bad('seal.name', name, 'a file name of letters, digits, ".", "_" and "-"');
  const bins = raw.entry === undefined ? declaredBins(pkg, unscoped) : { [name]: relativePath('seal.entry', raw.entry) };
  if (Object.keys(bins).length === 0) throw new ConfigError('package.json: nothing to build: there is no bin, and no seal.entry (set seal.entry to the file the program starts from)');
  const buildInfo = raw.buildInfo;
  if (buildInfo !== undefined && (typeof buildInfo !== 'string' || !IDENTIFIER.test(buildInfo))) throw bad('seal.buildInfo', buildInfo, 'a JavaScript identifier (the global constant that holds the build facts)');
  const node = raw.node === undefined ? undefined : String(raw.node);
  if (node !== undefined && ((typeof raw.node !== 'string' && typeof raw.node !== 'number') || !/^[1-9]\d*$/.test(node))) throw bad('seal.node', raw.node, 'a Node line, its major version (e.g. "22" or 24)');
  if (raw.startup !== undefined && !STARTUPS.includes(raw.startup as Startup)) throw bad('seal.startup', raw.startup, `one of ${STARTUPS.map((x) => `"${x}"`).join(', ')}`);
  if (raw.intl !== undefined && !INTL_MODES.includes(raw.intl as IntlMode)) throw bad('seal.intl', raw.intl, `one of ${INTL_MODES.map((x) => `"${x}"`).join(', ')}`);
  if (raw.pointerCompression !== undefined && typeof raw.pointerCompression !== 'boolean') throw bad('seal.pointerCompression', raw.pointerCompression, 'true or false');
  // Several bins: the default check asks the first one (the dispatcher itself has no --version).
  const smokeArgs = Object.keys(bins).length === 1 ? ['--version'] : [Object.keys(bins)[0] as string, '--version'];
  const config: SealConfig = {
    name,
    bins,
    assets: raw.assets === undefined ? [] : globList('seal.assets', raw.assets),
    omit: raw.omit === undefined ? [] : packageList('seal.omit', raw.omit),
    external: raw.external === undefined ? [] : packageList('seal.external', raw.external),
    lazy: raw.lazy === undefined ? [] : packageList('seal.lazy', raw.lazy),
    workers: raw.workers === undefined ? {} : workers('seal.workers', raw.workers),
    ...(buildInfo === undefined ? {} : { buildInfo }),
    nodeOptions: raw.nodeOptions === undefined ? [] : stringList('seal.nodeOptions', raw.nodeOptions),
    ...(node === undefined ? {} : { node }),
    startup: (raw.startup as Startup | undefined) ?? 'code-cache',
    train: raw.train === undefined ? [] : trainRuns('seal.train', raw.train),
    intl: (raw.intl as IntlMode | undefined) ?? 'full',
    pointerCompression: raw.pointerCompression === true,
    smoke: raw.smoke === undefined ? { args: smokeArgs, printed: true } : smoke('seal.smoke', raw.smoke, smokeArgs),
    targets: raw.targets === undefined ? [{ arch: 'x64', runtime: 'auto' }] : targets('seal.targets', raw.targets),
  };
  for (const name of config.external) {
    if (config.omit.includes(name)) throw bad('seal.external entry', name, 'a package seal.omit does not name (seal.omit leaves a package out of the binary, seal.external embeds it unbundled)');
  }
  for (const name of config.lazy) {
    const other = config.omit.includes(name) ? 'seal.omit' : config.external.includes(name) ? 'seal.external' : undefined;
    if (other !== undefined)
      throw bad('seal.lazy entry', name, `a package ${other} does not name (seal.lazy bundles it into a chunk of its own, ${other === 'seal.omit' ? 'seal.omit leaves it out of the binary' : 'seal.external embeds it unbundled'})`);
  }
  // Training fills the code cache: with a snapshot or none there is no cache to fill.
  if (config.train.length > 0 && config.startup !== 'code-cache') throw bad('seal.train', raw.train, `left out when seal.startup is "${config.startup}" (training fills the code cache, which only "code-cache" makes)`);
  for (const opt of config.nodeOptions) {
    if (!opt.startsWith('-')) throw bad('seal.nodeOptions entry', opt, 'a Node option starting with "-" (e.g. "--max-old-space-size=512")');
  }
  return { packageName: pkg.name, version: pkg.version, config };
}

/** The smoke check's stdout pattern with {name} and {version} filled in (as literal text). */
export function smokePattern(pattern: string, facts: { name: string; version: string }): RegExp {
  return new RegExp(pattern.replaceAll('{name}', regexpLiteral(facts.name)).replaceAll('{version}', regexpLiteral(facts.version)));
}
