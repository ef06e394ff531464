import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

/** Where the kernel's binfmt_misc and Debian's definitions live; tests point these at scratch dirs. */
export interface BinfmtPaths {
  binfmtMisc: string;
  /** Debian's qemu-user-static ships one systemd-binfmt line per emulator, in the kernel's register format. */
  definitions: string;
}
const SYSTEM: BinfmtPaths = { binfmtMisc: '/proc/sys/fs/binfmt_misc', definitions: '/usr/lib/binfmt.d' };

/** An entry as the kernel shows it: whether it is on, and its flags (F: interpreter opened at registration). */
function entryState(binfmtMisc: string, name: string): { enabled: boolean; flags: string; interpreter: string } | null {
  const path = `${binfmtMisc}/${name}`;
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  return {
    enabled: text.split('\n')[0] === 'enabled',
    flags: /^flags: (\S*)/m.exec(text)?.[1] ?? '',
    interpreter: /^interpreter (\S+)/m.exec(text)?.[1] ?? '?',
  };
}

/**
 * Makes the kernel run `name`'s binaries (e.g. qemu-aarch64) through qemu-user, registering Debian's own
 * definition when no entry exists. Only an entry with the F flag serves the matrix: the kernel opened the
 * interpreter at registration, so it works inside containers and chroots that do not contain it.
 * Returns how it is set up, or why it cannot be.
 */
export async function registerBinfmt(name: string, paths: BinfmtPaths = SYSTEM): Promise<{ describe: string } | { unavailable: string }> {
  const { binfmtMisc, definitions } = paths;
  const usable = (how: string) => {
    const e = entryState(binfmtMisc, name);
    if (!e) return { unavailable: `${binfmtMisc}/${name} did not appear after registering` };
    if (!e.enabled) return { unavailable: `binfmt_misc entry ${name} is disabled` };
    if (!e.flags.includes('F')) return { unavailable: `binfmt_misc entry ${name} lacks the F flag (its interpreter ${e.interpreter} would have to exist inside every root)` };
    return { describe: `binfmt_misc ${name} → ${e.interpreter} (flags ${e.flags}; ${how})` };
  };
  if (entryState(binfmtMisc, name)) return usable('already registered');
  const definition = `${definitions}/${name}.conf`;
  if (!existsSync(definition)) return { unavailable: `no ${definition} (Debian's qemu-user-static ships it)` };
  if (process.getuid?.() !== 0) return { unavailable: `registering ${name} with binfmt_misc needs root` };
  if (!existsSync(`${binfmtMisc}/register`)) {
    const m = await execa('mount', ['-t', 'binfmt_misc', 'binfmt_misc', binfmtMisc], { reject: false, all: true });
    if (m.exitCode !== 0) return { unavailable: `cannot mount binfmt_misc: ${m.all?.trim() || m.shortMessage}` };
  }
  const line = readFileSync(definition, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`:${name}:`));
  if (!line) return { unavailable: `${definition} has no :${name}: line` };
  try {
    writeFileSync(`${binfmtMisc}/register`, line);
  } catch (err) {
    return { unavailable: `the kernel refused to register ${name}: ${(err as Error).message}` };
  }
  return usable(`registered now from ${definition}`);
}
