import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBinfmt } from '../../docker/binfmt.ts';
import pkg from '../../package.json' with { type: 'json' };
import { missingHostPrograms } from '../../shared/toolchain/host-programs.ts';
import { arm64DistSkip, distArm64 } from '../fixtures/arm64.ts';
import { syntheticElf, writeTemp } from '../fixtures/binaries.ts';
import { repoRoot } from '../fixtures/context.ts';
import { MATRIX_RUN_MS, matrixBackends, matrixRow as row, runMatrixCli } from '../fixtures/matrix.ts';
import { describeWhen, firstMissing, itWhen, prerequisite } from '../fixtures/skip.ts';

// The matrix registers this entry itself on its first arm64 run; doing it here first tells the binfmt rows
// whether they can run. Without binfmt, mmdebstrap cannot run an arm64 Debian root's maintainer scripts.
const binfmt = arm64DistSkip ? { unavailable: arm64DistSkip } : await registerBinfmt('qemu-aarch64');
// .ci/run installs qemu-user-static and the sysroot and registers the entry (as root): in strict mode (BROKER_STRICT_PREREQUISITES=1, the workflow's test job) their absence fails.
const qemuNeed = prerequisite('qemu-user-static and the aarch64 sysroot', arm64DistSkip);
// mmdebstrap builds a foreign (arm64) root only with arch-test, which it merely recommends.
const archTestNeed = prerequisite('arch-test', missingHostPrograms({ 'arch-test': 'arch-test' }).length === 0 ? '' : 'not installed (apt-get install arch-test): mmdebstrap needs it for an arm64 root');
const binfmtNeed = prerequisite('binfmt_misc qemu-aarch64 with the F flag', 'unavailable' in binfmt ? binfmt.unavailable : '');
const LOADER = '/lib/ld-linux-aarch64.so.1';

// The success path of registration: the entry registerBinfmt registered (or found) is one the kernel has, enabled, with F.
itWhen(firstMissing(qemuNeed, binfmtNeed), 'binfmt_misc: qemu-aarch64 is registered, enabled, with the F flag', () => {
  expect(binfmt).toEqual({ describe: expect.stringMatching(/^binfmt_misc qemu-aarch64 → \/\S+ \(flags \S*F\S*; (already registered|registered now from \/usr\/lib\/binfmt\.d\/qemu-aarch64\.conf)\)$/) });
  const entry = readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8');
  expect(entry.split('\n')[0]).toBe('enabled');
  expect(entry).toMatch(/^flags: \S*F\S*$/m);
});

let artifact = '';
beforeAll(() => {
  if (!arm64DistSkip) ({ artifact } = distArm64());
}, 300_000);

for (const { name, need } of matrixBackends)
  describeWhen(
    firstMissing(qemuNeed, need, archTestNeed, binfmtNeed),
    `arm64 rows, ${name} backend`,
    () => {
      it('official arm64 artifact via binfmt: passes on Debian arm64, fails as predicted on musl-only and scratch', () => {
        const { status, report } = runMatrixCli(name, artifact, ['--only', 'musl,debian-old,debian-new,scratch']);
        expect(report).toMatchObject({ backend: name, machine: 'AArch64', arch: 'arm64', emulation: 'binfmt', emulationDetail: expect.stringContaining('binfmt_misc qemu-aarch64') });
        for (const id of ['debian-old', 'debian-new']) {
          for (const variant of ['as-shipped', 'without-libbz2']) {
            expect(row(report, id, variant), `${id}/${variant}`).toMatchObject({ image: expect.stringMatching(/-arm64$/), expected: 'pass', result: 'pass', output: `broker ${pkg.version}`, emulation: 'binfmt' });
          }
        }
        expect(row(report, 'debian-old')).toMatchObject({ libc: 'glibc 2.31', libbz2: true });
        expect(row(report, 'musl')).toMatchObject({ image: 'musl-only-arm64', libc: 'musl', expected: 'fail', result: 'fail', agree: true, prediction: `no loader ${LOADER}`, emulation: 'binfmt' });
        expect(row(report, 'scratch')).toMatchObject({ libc: 'none', expected: 'fail', result: 'fail', agree: true, emulation: 'binfmt' });
        expect(status).toBe(0);
      });

      it('--emulation in-root: qemu bound into each root gives the same verdicts, and says so', () => {
        const { status, report } = runMatrixCli(name, artifact, ['--emulation', 'in-root', '--only', 'musl,debian-new,scratch']);
        expect(report).toMatchObject({ emulation: 'qemu-in-root', emulationDetail: expect.stringContaining('bound read-only at /qemu-aarch64-static') });
        expect(row(report, 'debian-new')).toMatchObject({ result: 'pass', output: `broker ${pkg.version}`, emulation: 'qemu-in-root' });
        // The loader error comes from the qemu inside the root, not from a binfmt interpreter.
        expect(row(report, 'musl')).toMatchObject({ result: 'fail', agree: true, output: `qemu-aarch64-static: Could not open '${LOADER}': No such file or directory` });
        expect(row(report, 'scratch')).toMatchObject({ result: 'fail', agree: true, emulation: 'qemu-in-root' });
        expect(status).toBe(0);
      });
    },
    { timeout: MATRIX_RUN_MS },
  );

describe('arm64 artifact without qemu-user-static', () => {
  it('--emulation in-root is a one-line error naming the package, before any image is made', () => {
    // Node by absolute path and tsx by --import, so PATH can leave out qemu (and docker: the chroot fallback is chosen).
    const arm = writeTemp('arm64-artifact', syntheticElf([1], { machine: 183 }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'docker/cli.ts', arm, '--images', 'offline', '--emulation', 'in-root'], { cwd: repoRoot, encoding: 'utf8', env: { PATH: '/nonexistent', HOME: process.env.HOME } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: a linux-arm64 artifact: running a linux-arm64 binary here needs qemu-aarch64-static (apt-get install qemu-user-static)');
  });
});
