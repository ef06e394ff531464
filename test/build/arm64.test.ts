import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { inspectFile } from '../../shared/elf/file.ts';
import { ARM64_NODE, distArm64, arm64DistSkip as skip } from '../fixtures/arm64.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

// .ci/run installs qemu-user-static and the sysroot: in strict mode (BROKER_STRICT_PREREQUISITES=1, the workflow's test job) their absence fails these tests.
describeWhen(prerequisite('qemu-user-static and the aarch64 sysroot', skip), 'dist --arch arm64 under qemu', () => {
  let out = '';
  let log = '';
  beforeAll(() => {
    ({ out, log } = distArm64());
  }, 300_000);

  it('the blob is made by the arm64 runtime under qemu, without code cache, and --version answers', () => {
    expect(log).toMatch(/runtime ✓.*linux-arm64.*under qemu-aarch64-static/);
    expect(log).toMatch(/blob ✓.*start-up: none \(seal\.startup "code-cache": neither a code cache nor a snapshot is made under qemu-aarch64-static/);
    expect(log).toMatch(/verify ✓.*'--version' → "broker [^"]+" \(under qemu/);
  });

  it('the inspector reports AArch64 and the artifact is named for arm64', () => {
    const art = join(out, `broker-${pkg.version}-linux-arm64`);
    expect(inspectFile(art)).toMatchObject({ machine: 'AArch64', seaFuse: 'flipped', seaBlob: { present: true } });
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(`broker-${pkg.version}-linux-arm64`);
    const r = spawnSync('qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', art, 'version', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout).self).toMatchObject({ arch: 'arm64', sea: true, nodeVersion: ARM64_NODE });
  });
});
