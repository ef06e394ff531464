import { describe, expect, it } from 'vitest';
import { targetTools } from '../../build/runtime/static/host-tools.ts';
import { STATIC_TARGETS } from '../../build/runtime/static/target.ts';
import { requireHostPrograms } from '../../shared/toolchain/host-programs.ts';

describe('host tools', () => {
  it('names the missing program and the package to install', () => {
    expect(() => requireHostPrograms({ sh: 'dash' })).not.toThrow();
    expect(() => requireHostPrograms({ sh: 'dash', 'no-such-tool-broker': 'broker-pkg', '/no/such/path': 'broker-pkg' })).toThrow(
      'missing host programs: no-such-tool-broker, /no/such/path — install with: apt-get install -y broker-pkg',
    );
  });

  it("asks up front for a target's strip and, where its runtime is proven on several page sizes, qemu-user", () => {
    expect(targetTools(STATIC_TARGETS.x64)).toEqual({ strip: 'binutils' });
    expect(targetTools(STATIC_TARGETS.arm64)).toEqual({ 'aarch64-linux-gnu-strip': 'binutils-aarch64-linux-gnu', 'qemu-aarch64-static': 'qemu-user-static' });
  });
});
