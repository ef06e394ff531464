import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { BuildError } from '../../shared/toolchain/build-error.ts';
import { sha256File } from '../../shared/toolchain/file-hash.ts';
import type { Logger } from '../../shared/toolchain/logger.ts';
import type { Runtime } from './runtime.ts';

export type OfficialSource = 'npm' | 'nodejs.org';

export interface OfficialRuntimeOptions {
  nodeVersion: string;
  arch: Arch;
  cacheDir: string;
  log: Logger;
  /** npm (the registry package node-linux-<arch>, reachable offline here) or the nodejs.org tarball. */
  source?: OfficialSource;
  /** Expected npm integrity (sha512-…) pinned in package.json; a mismatch refuses the download. */
  integrity?: string;
  /** Where nodejs.org tarballs come from; a mirror may be given. */
  distUrl?: string;
}

interface Fetched {
  binary: string;
  origin: string;
  sha256: string;
  name: string;
}

/**
 * `npm pack node-linux-<arch>@<version>` into `tmp`, its integrity checked against the pin: the package both the
 * official runtime (package/bin/node) and its headers (package/include, node-headers.ts) come from. Returns the
 * tarball's path and the integrity npm reported.
 */
export async function packNodeLinux(
  o: Pick<OfficialRuntimeOptions, 'nodeVersion' | 'arch' | 'integrity'>,
  tmp: string,
  /** What to do when the package cannot be had: the runtime has other sources, the headers have none. */
  fix = `use --runtime-source nodejs.org (needs internet), or --runtime PATH with a linux-${o.arch} Node binary.`,
): Promise<{ tgz: string; integrity: string; spec: string }> {
  const spec = `node-linux-${o.arch}@${o.nodeVersion}`;
  let packed: { stdout: string };
  try {
    packed = await execa('npm', ['pack', spec, '--json', '--pack-destination', tmp], { cwd: tmp });
  } catch (err) {
    const e = err as { shortMessage?: string; stderr?: string };
    if (/ETARGET|E404|No matching version/.test(e.stderr ?? '')) {
      const listed = await execa('npm', ['view', `node-linux-${o.arch}`, 'versions', '--json'], { reject: false });
      const near = listed.exitCode === 0 ? (JSON.parse(listed.stdout) as string[]).filter((v) => v.split('.')[0] === o.nodeVersion.split('.')[0]) : [];
      throw new BuildError(`${spec} is not published on the npm registry${near.length ? ` (it has ${near.join(', ')})` : ''}.\n  ${fix}`);
    }
    throw new BuildError(`could not fetch ${spec} from the npm registry: ${e.shortMessage ?? err}\n  check network access to the registry; ${fix}`);
  }
  const [info] = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
  if (!info) throw new BuildError(`npm pack ${spec} reported nothing`);
  if (o.integrity && info.integrity !== o.integrity) {
    throw new BuildError(`${spec} has integrity ${info.integrity}, but package.json pins ${o.integrity}; refusing a runtime that changed under the same version`);
  }
  return { tgz: join(tmp, info.filename), integrity: info.integrity, spec };
}

async function fetchFromNpm(o: OfficialRuntimeOptions, tmp: string): Promise<Fetched> {
  o.log.info(`  fetching node-linux-${o.arch}@${o.nodeVersion} from the npm registry`);
  const { tgz, integrity, spec } = await packNodeLinux(o, tmp);
  await execa('tar', ['-xzf', tgz, '-C', tmp, 'package/bin/node']);
  return { binary: join(tmp, 'package/bin/node'), origin: `npm:${spec} (${integrity})`, sha256: await sha256File(tgz), name: `${spec} (npm)` };
}

async function download(url: string, dest: string, log: Logger): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) }).catch((err: unknown) => {
    throw new BuildError(`cannot download ${url}: ${(err as Error).cause ?? err}\n  offline? use the default --runtime-source npm, or pass --runtime PATH`);
  });
  if (!res.ok || !res.body) throw new BuildError(`cannot download ${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const out = createWriteStream(dest);
  const started = Date.now();
  let got = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    got += chunk.length;
    out.write(chunk);
    const secs = (Date.now() - started) / 1000;
    const eta = total && got ? ((total - got) * secs) / got : 0;
    log.progress(`  ${url.split('/').at(-1)}: ${(got / 2 ** 20).toFixed(1)}${total ? `/${(total / 2 ** 20).toFixed(1)}` : ''} MiB${eta ? `, ETA ${eta.toFixed(0)} s` : ''}`);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Finds the expected SHA-256 of a file in a SHASUMS256.txt body. */
export function shasumFor(shasums: string, file: string): string | undefined {
  for (const line of shasums.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (m && m[2] === file) return m[1];
  }
  return undefined;
}

async function fetchFromNodejsOrg(o: OfficialRuntimeOptions, tmp: string): Promise<Fetched> {
  const base = `${o.distUrl ?? 'https://nodejs.org/dist'}/v${o.nodeVersion}`;
  const file = `node-v${o.nodeVersion}-linux-${o.arch}.tar.xz`;
  const sumsPath = join(tmp, 'SHASUMS256.txt');
  await download(`${base}/SHASUMS256.txt`, sumsPath, o.log);
  const expected = shasumFor(await readFile(sumsPath, 'utf8'), file);
  if (!expected) throw new BuildError(`${base}/SHASUMS256.txt does not list ${file}`);
  const tarball = join(tmp, file);
  await download(`${base}/${file}`, tarball, o.log);
  const actual = await sha256File(tarball);
  if (actual !== expected) throw new BuildError(`${file}: sha256 ${actual} does not match SHASUMS256.txt (${expected})`);
  const inner = `node-v${o.nodeVersion}-linux-${o.arch}/bin/node`;
  await execa('tar', ['-xJf', tarball, '-C', tmp, inner]);
  return { binary: join(tmp, inner), origin: `${base}/${file}`, sha256: actual, name: `${file} (nodejs.org)` };
}

/**
 * The official Node.js binary (glibc, dynamic), stripped and cached under
 * <cache>/runtimes/official/node-v<version>-linux-<arch>-<pin>/ so later builds skip the download.
 */
export async function officialRuntime(o: OfficialRuntimeOptions): Promise<Runtime> {
  // Keyed by version and by the pinned integrity, so a changed pin never reuses an old download.
  const pin = o.integrity ? `-${createHash('sha256').update(o.integrity).digest('hex').slice(0, 12)}` : '';
  const dir = join(o.cacheDir, 'runtimes', 'official', `node-v${o.nodeVersion}-linux-${o.arch}${pin}`);
  const recordPath = join(dir, 'runtime.json');
  const cached = await readFile(recordPath, 'utf8').then(
    (s) => JSON.parse(s) as Runtime,
    () => undefined,
  );
  if (cached && (await sha256File(cached.path).catch(() => '')) === cached.sha256) {
    o.log.info(`  cached: ${cached.path}`);
    // Records written before the runtime named its Intl: official builds always ship full ICU.
    return { intl: 'full', ...cached };
  }
  await mkdir(dir, { recursive: true });
  const tmp = await mkdtemp(join(dir, '.fetch-'));
  try {
    const fetched = o.source === 'nodejs.org' ? await fetchFromNodejsOrg(o, tmp) : await fetchFromNpm(o, tmp);
    const stripped = join(tmp, 'node.stripped');
    await stripBinary(fetched.binary, stripped, o.arch);
    const path = join(dir, 'node');
    await rename(stripped, path);
    const runtime: Runtime = {
      kind: 'official',
      path,
      nodeVersion: o.nodeVersion,
      arch: o.arch,
      sha256: await sha256File(path),
      libc: 'glibc',
      allocator: 'glibc malloc',
      intl: 'full',
      inputs: [{ name: fetched.name, version: o.nodeVersion, origin: fetched.origin, sha256: fetched.sha256 }],
    };
    await writeFile(recordPath, `${JSON.stringify(runtime, null, 2)}\n`);
    return runtime;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// The host's binutils only reads its own architecture; other targets need their cross binutils.
const STRIP: Record<Arch, { tool: string; pkg: string }> = {
  x64: { tool: process.arch === 'x64' ? 'strip' : 'x86_64-linux-gnu-strip', pkg: process.arch === 'x64' ? 'binutils' : 'binutils-x86-64-linux-gnu' },
  arm64: { tool: process.arch === 'arm64' ? 'strip' : 'aarch64-linux-gnu-strip', pkg: process.arch === 'arm64' ? 'binutils' : 'binutils-aarch64-linux-gnu' },
};

/** Strips symbols and debug info: the official binary loses ~20 MB and nothing it needs at run time. */
export async function stripBinary(input: string, output: string, arch: Arch): Promise<void> {
  const { tool, pkg } = STRIP[arch];
  try {
    await execa(tool, ['--strip-all', '-o', output, input]);
  } catch (err) {
    const e = err as { code?: string; shortMessage?: string };
    if (e.code === 'ENOENT') throw new BuildError(`${tool} not found: apt-get install ${pkg}`);
    throw new BuildError(`strip failed on ${input}: ${e.shortMessage ?? err}`);
  }
}
