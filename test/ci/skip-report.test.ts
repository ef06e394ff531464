import { describe, expect, it } from 'vitest';
import { prerequisite, skippedTitle, verdict } from '../fixtures/skip.ts';
import { skipReason, skipReport } from '../skip-report.ts';

describe('the skip report at the end of npm test', () => {
  it("reads the reason from the test's or a group's title, with parentheses and '>' inside it", () => {
    const need = prerequisite('binfmt_misc qemu-aarch64', 'no /proc/sys/fs/binfmt_misc/qemu-aarch64 (cat x.conf > register)');
    expect(skipReason({ file: 'f', titles: [skippedTitle('arm64 rows', need), 'a test'] })).toBe('binfmt_misc qemu-aarch64: no /proc/sys/fs/binfmt_misc/qemu-aarch64 (cat x.conf > register)');
    expect(skipReason({ file: 'f', titles: ['linux-arm64 static runtime [SKIPPED: no runtime cached]', 't'] })).toBe('no runtime cached');
    expect(skipReason({ file: 'f', titles: ['g', 'is current (npm run wasm) — skipped: zig is missing'] })).toBe('zig is missing');
    expect(skipReason({ file: 'f', titles: ['g', 't'], note: 'from ctx.skip' })).toBe('from ctx.skip');
    expect(skipReason({ file: 'f', titles: ['g', 'readers skip padding frames'] })).toBeUndefined();
    // "skipped" in a test's own prose is no marker: the group's reason is the one.
    expect(skipReason({ file: 'f', titles: ['static Node 22 [SKIPPED: none cached]', 'FILE.1 and FILE.2 are skipped and left as they were'] })).toBe('none cached');
    expect(skipReason({ file: 'f', titles: ['g', 'old files are skipped'] })).toBeUndefined();
  });

  it('counts the skipped tests, groups them by reason with their files, and names a skip without a reason', () => {
    const lines = skipReport([
      { file: 'test/a.test.ts', titles: ['g (SKIPPED: no docker)', 't1'] },
      { file: 'test/a.test.ts', titles: ['g (SKIPPED: no docker)', 't2'] },
      { file: 'test/b.test.ts', titles: ['t3 (SKIPPED: no docker)'] },
      { file: 'test/c.test.ts', titles: ['g', 'on linux only'] },
    ]);
    expect(lines).toEqual([
      'skipped: 4 tests, 2 reasons',
      '  3 × no docker',
      '      in test/a.test.ts (2), test/b.test.ts (1)',
      '  1 × NO REASON GIVEN (say why in the title: "(SKIPPED: why)"), or left out by a -t filter',
      '      in test/c.test.ts › g › on linux only (1)',
    ]);
    expect(skipReport([])).toEqual(['skipped: none']);
  });

  it('in strict mode a missing prerequisite CI provides fails; an optional one, or any one locally, skips', () => {
    const missing = prerequisite('libjemalloc2', 'apt-get install libjemalloc2');
    expect(verdict(missing, true)).toBe('fail');
    expect(verdict(missing, false)).toBe('skip');
    expect(verdict(prerequisite('O_DIRECT', 'tmpfs refuses it', 'optional'), true)).toBe('skip');
    expect(verdict(prerequisite('libjemalloc2', ''), true)).toBe('run');
  });
});
