import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { captures } from '../../../shared/checked.ts';
import { sha256File } from '../../../shared/toolchain/file-hash.ts';
import { type SourceArtifact, staticStage } from './context.ts';

/**
 * Mode (a): Node's official release tarball with its bundled deps (the normal, online path).
 * Its integrity comes from the release's SHASUMS256.txt: "<sha256>  <file name>" per line.
 */
export function parseShasums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)\s*$/.exec(line.trim());
    if (!m) continue;
    const [sha256, file] = captures(m, 2);
    sums.set(file, sha256);
  }
  return sums;
}

export function officialTarballName(version: string): string {
  return `node-v${version}.tar.xz`;
}

export const OFFICIAL_DIST = 'https://nodejs.org/dist';

export interface OfficialSourceOptions {
  version: string;
  /** A local copy of the tarball (offline); otherwise it is downloaded from `distUrl`. */
  tarball?: string;
  /** A local SHASUMS256.txt; otherwise <distUrl>/v<version>/SHASUMS256.txt. */
  shasums?: string;
  distUrl?: string;
}

async function download(url: string, to: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  writeFileSync(to, Buffer.from(await res.arrayBuffer()));
}

/** The expected sha256 of the tarball, from SHASUMS256.txt; throws if the file is not listed. */
export function expectedSha256(shasumsText: string, version: string): string {
  const name = officialTarballName(version);
  const sha = parseShasums(shasumsText).get(name);
  if (!sha) throw new Error(`SHASUMS256.txt lists no ${name}`);
  return sha;
}

/** Fetch (or take) the official tarball into <cache>/sources and check it against SHASUMS256.txt. */
export async function fetchOfficialSource(cacheDir: string, opts: OfficialSourceOptions): Promise<SourceArtifact> {
  const dist = `${opts.distUrl ?? OFFICIAL_DIST}/v${opts.version}`;
  const dir = join(cacheDir, 'sources', 'official');
  mkdirSync(dir, { recursive: true });
  const shasumsText = opts.shasums ? readFileSync(opts.shasums, 'utf8') : await (await fetch(`${dist}/SHASUMS256.txt`)).text();
  const expected = expectedSha256(shasumsText, opts.version);
  const name = officialTarballName(opts.version);
  const path = join(dir, name);
  if (opts.tarball) {
    if (basename(opts.tarball) !== name) throw new Error(`${opts.tarball}: expected a file named ${name}`);
    copyFileSync(opts.tarball, path);
  } else if (!existsSync(path)) {
    await download(`${dist}/${name}`, path);
  }
  const sha256 = await sha256File(path);
  if (sha256 !== expected) throw new Error(`${path}: sha256 ${sha256}, SHASUMS256.txt says ${expected}`);
  return {
    path,
    input: { name: 'node', version: opts.version, origin: opts.tarball ? `local ${opts.tarball} (checked against SHASUMS256.txt)` : `${dist}/${name}`, sha256 },
  };
}

/** The stage of mode (a): only the Node tarball is a source; deps are bundled in it. */
export function officialSourceStage(opts: Omit<OfficialSourceOptions, 'version'>) {
  return staticStage({
    name: 'official-source',
    run: async (ctx) => {
      const node = await fetchOfficialSource(ctx.options.cacheDir, { ...opts, version: ctx.nodeVersion });
      ctx.sources.node = node;
      return node.input.origin;
    },
  });
}
