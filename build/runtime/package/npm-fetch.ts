import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../../../shared/toolchain/build-error.ts';
import type { Logger } from '../../../shared/toolchain/logger.ts';
import { commandLine } from '../../invocation.ts';

/** The package cannot be had here and now (not published, registry unreachable): building it is the way on. */
export class PackageUnavailable extends BuildError {
  override name = 'PackageUnavailable';
}

/** The registry npm uses for `name` with the user's config (env, project and user .npmrc), scope first. */
export async function registryFor(name: string, cwd: string): Promise<string> {
  const scope = name.startsWith('@') ? name.split('/')[0] : undefined;
  for (const key of scope ? [`${scope}:registry`, 'registry'] : ['registry']) {
    const got = await execa('npm', ['config', 'get', key], { cwd, reject: false });
    const url = got.stdout.trim();
    if (got.exitCode === 0 && url && url !== 'undefined') return url;
  }
  return 'the npm registry';
}

const NOT_PUBLISHED = /\b(E404|ETARGET)\b|No matching version/;
const UNREACHABLE = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT)\b/;

/**
 * `npm pack name@version` into `dest`: npm resolves and downloads it with the user's registry, auth,
 * proxy and CA settings (cwd is the project, so its .npmrc counts). One retry after 2 s instead of npm's
 * two after 10 s and more: offline, the answer comes in seconds rather than a minute. npm reports no
 * progress of its own, so a progress line counts the seconds. --loglevel=error: under `npm run --silent`
 * the inherited loglevel would hide the error codes this reads. Returns the tarball's path.
 */
export async function npmPackFetch(spec: string, dest: string, cwd: string, log: Logger): Promise<string> {
  const registry = await registryFor(spec.slice(0, spec.lastIndexOf('@')), cwd);
  log.info(`  fetching ${spec} from ${registry}`);
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
  const ticker = setInterval(() => log.progress(`  fetching ${spec}: ${seconds()} s`), 1000);
  let stdout: string;
  try {
    ({ stdout } = await execa('npm', ['pack', spec, '--json', '--pack-destination', dest, '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000', '--loglevel=error'], { cwd }));
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; shortMessage?: string };
    const said = `${e.stdout ?? ''}\n${e.stderr ?? ''}`;
    if (NOT_PUBLISHED.test(said)) throw new PackageUnavailable(`${spec} is not published on ${registry}`);
    const code = UNREACHABLE.exec(said)?.[1];
    if (code) throw new PackageUnavailable(`cannot reach ${registry} for ${spec} (${code})`);
    throw new BuildError(
      `npm pack ${spec} failed: ${e.shortMessage ?? err}\n${(e.stderr ?? '').trim().split('\n').slice(-5).join('\n')}\n  check the registry settings (npm config get registry), or build the runtime (${commandLine('runtime', '--detach')})`,
    );
  } finally {
    clearInterval(ticker);
  }
  const [info] = JSON.parse(stdout) as { filename?: string }[];
  if (!info?.filename) throw new BuildError(`npm pack ${spec} named no tarball (its --json output: ${stdout.slice(0, 200)})`);
  const tarball = join(dest, info.filename);
  const { size } = await stat(tarball);
  log.info(`  fetched ${spec}: ${(size / 2 ** 20).toFixed(1)} MiB in ${seconds()} s`);
  return tarball;
}
