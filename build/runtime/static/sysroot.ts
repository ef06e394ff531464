import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticLib } from './context.ts';
import { stageHash } from './stage.ts';

/**
 * Node's configure puts every --shared-*-includes dir into target_defaults, so they appear in
 * EVERY compile command, V8's included. Pointing them at one stable directory keeps those
 * commands identical when a dependency is rebuilt, so ninja and Zig's cache (which hash command
 * lines) do not recompile V8. Timestamps are preserved so unchanged headers stay unchanged.
 */
export function assembleSysroot(root: string, libs: Record<string, StaticLib>): Record<string, StaticLib> {
  const include = join(root, 'include');
  const lib = join(root, 'lib');
  const stamp = join(root, 'sysroot-libs.sha256');
  const wanted = stageHash(libs);
  const same = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted;
  if (same) {
    // Already these libs: leave it alone (a running compile may be reading it).
    return Object.fromEntries(Object.entries(libs).map(([name, built]) => [name, { includeDir: include, libDir: lib, libNames: built.libNames }]));
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(include, { recursive: true });
  mkdirSync(lib, { recursive: true });
  const owner = new Map<string, string>();
  const out: Record<string, StaticLib> = {};
  for (const [name, built] of Object.entries(libs)) {
    for (const [from, to] of [
      [built.includeDir, include],
      [built.libDir, lib],
    ] as const) {
      if (!existsSync(from)) continue;
      for (const entry of readdirSync(from)) {
        if (entry === 'pkgconfig' || entry === 'cmake') continue;
        const prev = owner.get(join(to, entry));
        if (prev) throw new Error(`sysroot: ${entry} is installed by both ${prev} and ${name}`);
        owner.set(join(to, entry), name);
        cpSync(join(from, entry), join(to, entry), { recursive: true, preserveTimestamps: true });
      }
    }
    out[name] = { includeDir: include, libDir: lib, libNames: built.libNames };
  }
  writeFileSync(stamp, `${wanted}\n`);
  return out;
}
