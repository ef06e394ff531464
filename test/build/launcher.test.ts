import { describe, expect, it } from 'vitest';
import { binaryFacts } from '../../build/runtime/launcher.ts';
import { compileC, syntheticElf, writeTemp } from '../fixtures/binaries.ts';

describe('binaryFacts: how a runtime binary must be run, from its ELF header', () => {
  it('tells a dynamic x64 program (it has a loader) from a static one', () => {
    const dynamic = compileC('dyn', []);
    const fixed = compileC('static', ['-static']);
    expect([dynamic.reason, fixed.reason]).toEqual([undefined, undefined]);
    expect(binaryFacts(dynamic.path ?? '')).toEqual({ arch: 'x64', dynamic: true });
    expect(binaryFacts(fixed.path ?? '')).toEqual({ arch: 'x64', dynamic: false });
  });

  it('reads arm64 from e_machine and refuses an arch no runtime has', () => {
    expect(binaryFacts(writeTemp('arm64-elf', syntheticElf([1], { machine: 183 })))).toEqual({ arch: 'arm64', dynamic: false });
    expect(() => binaryFacts(writeTemp('riscv-elf', syntheticElf([1], { machine: 243 })))).toThrow(/RISC-V executable: runtimes are linux-x64 or linux-arm64/);
  });
});
