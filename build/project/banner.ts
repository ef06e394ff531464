/*
 * The bundle's first lines, before any of the program's: Node's full require in place of the SEA's
 * (full-require.ts), in a snapshot build after the line that keeps the builder's pid out of the snapshot
 * (snapshot.ts), and for a package of one bin the statement that makes require.main describe it (main-module.ts;
 * with several bins the dispatcher sets it for the one chosen). Each piece is made in its own file; the banner
 * they form, and their order, is decided here.
 */
import type { Startup } from './config.ts';
import { ESM_FULL_REQUIRE, FULL_REQUIRE } from './full-require.ts';
import { mainModuleSource } from './main-module.ts';
import { SNAPSHOT_PROLOGUE } from './snapshot.ts';

export interface BannerOptions {
  /** The bundle's format: an ES module (a program with top-level await, esm-launcher.ts) has no require of its own. */
  format: 'cjs' | 'esm';
  /** seal.startup. */
  startup: Startup;
  /** The one bin's path under the virtual root, when the package has one bin. */
  onlyMain?: string | undefined;
}

/** The banner's text (esbuild's `banner.js`). */
export function bannerFor({ format, startup, onlyMain }: BannerOptions): string {
  const lines = [...(format === 'cjs' && startup === 'snapshot' ? [SNAPSHOT_PROLOGUE] : []), format === 'esm' ? ESM_FULL_REQUIRE : FULL_REQUIRE, ...(onlyMain === undefined ? [] : [mainModuleSource(onlyMain)])];
  return lines.join('\n');
}
