import { callerPath } from '../shared/cli-args/caller-path.ts';
import { listOf, oneOf } from '../shared/cli-args/choice.ts';
import { parseCommandArgs } from '../shared/cli-args/command-args.ts';
import { duration } from '../shared/cli-args/duration.ts';
import { optionsOf, UsageError } from '../shared/cli-args/usage-error.ts';
import { ElfError } from '../shared/elf/parse.ts';
import { cacheRoot } from '../shared/toolchain/cache-root.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import type { Backend } from './backends/backend.ts';
import { chrootBackend } from './backends/chroot.ts';
import { dockerAvailable, dockerBackend } from './backends/docker.ts';
import { IMAGES } from './images.ts';
import { formatMatrix, runMatrix } from './matrix.ts';
import { ImageError } from './rootfs.ts';

const HELP = `Usage: npm run matrix -- ARTIFACT [--json] [--timeout SECONDS] [--images auto|online|offline]
                          [--backend auto|docker|chroot] [--emulation auto|binfmt|in-root]
                          [--only ${IMAGES.map((i) => i.id).join(',')}]

Runs ARTIFACT --version in each image (no network, read-only root, unprivileged), again with libbz2
removed (and, for a static artifact, with the whole libc removed), next to the inspector's prediction.
Images are of the artifact's architecture; an AArch64 artifact on an x86-64 host runs under
qemu-aarch64-static, through binfmt_misc when it can be registered (auto), else with qemu bound
into each root (in-root). Exit 0 only when every row matched its prediction.`;

const HELP_REF = 'npm run matrix -- --help';
const json = process.argv.includes('--json');
// With --json, progress goes to stderr so stdout is only the report.
const log: Logger = {
  info: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
  progress: (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  },
};

function parseCli() {
  return parseCommandArgs(
    process.argv.slice(2),
    { json: { type: 'boolean' }, timeout: { type: 'string' }, images: { type: 'string' }, backend: { type: 'string' }, emulation: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean' } },
    { command: 'matrix', help: HELP_REF, allowPositionals: true },
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli();
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one ARTIFACT, got ${positionals.length} (see '${HELP_REF}')`);
  const opt = optionsOf(HELP_REF);
  const timeout = duration(values.timeout, opt('--timeout'), { unit: 's', min: 0.001, max: 86_400 }) ?? 30;
  const images = oneOf(values.images, opt('--images'), ['auto', 'online', 'offline'] as const) ?? 'auto';
  const emulation = oneOf(values.emulation, opt('--emulation'), ['auto', 'binfmt', 'in-root'] as const) ?? 'auto';
  const backendChoice = oneOf(values.backend, opt('--backend'), ['auto', 'docker', 'chroot'] as const) ?? 'auto';
  const only = listOf(
    values.only,
    opt('--only'),
    IMAGES.map((i) => i.id),
  );

  const haveDocker = await dockerAvailable();
  let backend: Backend;
  if (backendChoice === 'chroot') backend = chrootBackend;
  else if (haveDocker) backend = dockerBackend;
  else if (backendChoice === 'docker') throw new Error('no Docker engine is reachable (`docker info` failed): start dockerd, or use --backend chroot');
  else {
    log.info('no Docker engine reachable: falling back to unshare + chroot in the same root filesystems');
    backend = chrootBackend;
  }

  const report = await runMatrix({
    artifact: callerPath(positionals[0] as string),
    images,
    backend,
    timeoutMs: timeout * 1000,
    emulation,
    only,
    imageContext: { cacheDir: cacheRoot(), log, dockerAvailable: haveDocker, mirror: process.env.BROKER_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian' },
    log,
  });
  console.log(json ? JSON.stringify(report, null, 2) : formatMatrix(report));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${HELP}`);
      process.exitCode = 2;
    } else {
      console.error(`error: ${err instanceof ElfError || err instanceof ImageError || err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
