import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerBinfmt } from '../../docker/binfmt.ts';
import { tempDir } from '../fixtures/context.ts';

// Scratch stand-ins for /proc/sys/fs/binfmt_misc and /usr/lib/binfmt.d: the decisions, without touching the kernel.
function dirs(entry?: string, definition?: string) {
  const binfmtMisc = join(tempDir('binfmt'), 'binfmt_misc');
  const definitions = join(tempDir('binfmt'), 'binfmt.d');
  mkdirSync(binfmtMisc);
  mkdirSync(definitions);
  writeFileSync(join(binfmtMisc, 'register'), '');
  if (entry !== undefined) writeFileSync(join(binfmtMisc, 'qemu-aarch64'), entry);
  if (definition !== undefined) writeFileSync(join(definitions, 'qemu-aarch64.conf'), definition);
  return { binfmtMisc, definitions };
}
const entry = (state: string, flags: string) => `${state}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\noffset 0\nmagic 7f454c46\n`;
const LINE = ':qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02:\\xff\\xff\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OPF';
const root = process.getuid?.() === 0;

describe('binfmt_misc for the matrix', () => {
  it('an enabled entry with the F flag is used as it is', async () => {
    expect(await registerBinfmt('qemu-aarch64', dirs(entry('enabled', 'POCF')))).toEqual({ describe: 'binfmt_misc qemu-aarch64 → /usr/libexec/qemu-binfmt/aarch64-binfmt-P (flags POCF; already registered)' });
  });

  it('refuses an entry without F (the interpreter would have to be inside every root) and a disabled one', async () => {
    expect(await registerBinfmt('qemu-aarch64', dirs(entry('enabled', 'OC')))).toEqual({ unavailable: expect.stringContaining('lacks the F flag') });
    expect(await registerBinfmt('qemu-aarch64', dirs(entry('disabled', 'POCF')))).toEqual({ unavailable: 'binfmt_misc entry qemu-aarch64 is disabled' });
  });

  it("without an entry or Debian's definition, says which package ships it", async () => {
    const d = dirs();
    expect(await registerBinfmt('qemu-aarch64', d)).toEqual({ unavailable: `no ${d.definitions}/qemu-aarch64.conf (Debian's qemu-user-static ships it)` });
  });

  it.skipIf(!root)(`registers by writing Debian's line to register, then checks the kernel took it${root ? '' : ' (SKIPPED: not root)'}`, async () => {
    const d = dirs(undefined, `# comment\n${LINE}\n`);
    // A plain file takes the write but grows no entry: the check afterwards must notice.
    expect(await registerBinfmt('qemu-aarch64', d)).toEqual({ unavailable: `${d.binfmtMisc}/qemu-aarch64 did not appear after registering` });
    expect(readFileSync(join(d.binfmtMisc, 'register'), 'utf8')).toBe(LINE);
  });
});
