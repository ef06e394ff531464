import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { compileC, syntheticElf, writeTemp } from '../fixtures/binaries.ts';
import { runDist, tempDir } from '../fixtures/context.ts';
import { MATRIX_RUN_MS, matrixBackends, matrixRow as row, runMatrixCli } from '../fixtures/matrix.ts';
import { describeWhen } from '../fixtures/skip.ts';

let backend = '';
function matrix(artifact: string, ...args: string[]) {
  return runMatrixCli(backend, artifact, args);
}

function matrixWith(env: NodeJS.ProcessEnv, artifact: string, ...args: string[]) {
  return runMatrixCli(backend, artifact, args, env);
}

for (const { name, need } of matrixBackends)
  describeWhen(
    need,
    `portability matrix, ${name} backend`,
    () => {
      let official = '';
      beforeAll(() => {
        backend = name;
        official = join(runDist(['--runtime', 'official']).out, `broker-${pkg.version}-linux-x64`);
      }, 300_000);

      it('official-runtime artifact: passes on glibc images, fails as predicted on musl-only and scratch', () => {
        const { status, report } = matrix(official, '--only', 'musl,debian-old,debian-new,scratch');
        expect(report).toMatchObject({ backend, arch: 'x64', emulation: 'native' });
        expect(row(report, 'debian-old')).toMatchObject({ result: 'pass', expected: 'pass', output: `broker ${pkg.version}`, libbz2: true, emulation: 'native' });
        expect(row(report, 'debian-old', 'without-libbz2')).toMatchObject({ result: 'pass', libbz2: false });
        expect(row(report, 'debian-new')).toMatchObject({ result: 'pass', libc: expect.stringMatching(/^glibc 2\.\d+$/) });
        expect(row(report, 'musl')).toMatchObject({ image: 'musl-only', libc: 'musl', expected: 'fail', result: 'fail', agree: true, prediction: 'no loader /lib64/ld-linux-x86-64.so.2' });
        expect(row(report, 'scratch')).toMatchObject({ libc: 'none', result: 'fail', agree: true });
        // A dynamic artifact gets no without-libc rows: that check is for static builds.
        expect(report?.rows.some((r) => r.variant === 'without-libc')).toBe(false);
        expect(status).toBe(0);
      });

      it("a binary built against a newer glibc fails where predicted, with the loader's own words (the seed's RHEL 8 case)", () => {
        const newer = compileC('needs-glibc-2.34', ['-O1']);
        const { status, report } = matrix(newer.path!, '--only', 'debian-old,debian-new');
        expect(row(report, 'debian-old')).toMatchObject({ expected: 'fail', result: 'fail', agree: true, prediction: expect.stringContaining('lacks GLIBC_2.34') });
        expect(row(report, 'debian-old').output).toMatch(/GLIBC_2\.34' not found/);
        expect(row(report, 'debian-new').result).toBe('pass');
        expect(status).toBe(0);
      });

      it('a static binary passes everywhere, also with libbz2 and the whole libc removed', () => {
        const stat = compileC('static-for-matrix', ['-static', '-O1']);
        const { status, report } = matrix(stat.path!, '--only', 'musl,debian-old,scratch');
        for (const r of report?.rows ?? []) expect(r, `${r.id}/${r.variant}`).toMatchObject({ expected: 'pass', result: 'pass' });
        expect(row(report, 'debian-old', 'without-libc')).toMatchObject({ libc: 'none', result: 'pass' });
        expect(row(report, 'musl', 'without-libc')).toMatchObject({ libc: 'none', result: 'pass' });
        expect(status).toBe(0);
      });

      it('a hanging artifact becomes a timeout row, exit 1, and nothing is left running', () => {
        const hang = compileC('hang', ['-static', '-O1'], '#include <unistd.h>\nint main(void){ sleep(120); return 0; }\n');
        const started = Date.now();
        const { status, report } = matrix(hang.path!, '--only', 'scratch', '--timeout', '2');
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(row(report, 'scratch')).toMatchObject({ result: 'timeout', exitCode: null, agree: false });
        expect(status).toBe(1);
        if (name === 'docker') expect(execFileSync('docker', ['ps', '-aq', '--filter', 'name=broker-matrix-'], { encoding: 'utf8' }).trim()).toBe('');
        expect(execFileSync('mount', { encoding: 'utf8' })).not.toContain('broker-matrix-root-');
      });

      it('bad input is a clear error: missing file, not ELF', () => {
        const missing = matrix('/nonexistent/broker');
        expect(missing.status).toBe(1);
        expect(missing.stderr).toContain('no such file: /nonexistent/broker');
        const notElf = matrix('/etc/passwd');
        expect(notElf.status).toBe(1);
        expect(notElf.stderr).toContain('not an ELF file');
        expect(existsSync('/etc/passwd')).toBe(true);
        // AArch64 has rows (test/docker/arm64-matrix.test.ts); a machine with none is refused before any image is made.
        const riscv = matrix(writeTemp('riscv-artifact', syntheticElf([1], { machine: 243 })));
        expect(riscv.status).toBe(1);
        expect(riscv.stderr).toContain('is RISC-V; the matrix has rows for x86-64 and AArch64 artifacts only');
      });

      it('an image that cannot be built is an error row naming the step, and the other rows still run', () => {
        // A fresh cache and a mirror nobody answers on: the Debian image build must fail, scratch must not.
        const { status, report } = matrixWith({ BROKER_CACHE: tempDir('matrix-cache'), BROKER_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian' }, official, '--only', 'debian-new,scratch');
        expect(row(report, 'debian-new')).toMatchObject({ result: 'error', output: expect.stringContaining('building debian-new (mmdebstrap bookworm minbase') });
        expect(row(report, 'scratch')).toMatchObject({ result: 'fail', agree: true });
        expect(status).toBe(1);
      });
    },
    { timeout: MATRIX_RUN_MS },
  );
