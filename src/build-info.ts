/** Facts fixed when the bundle is made; esbuild replaces __BROKER_BUILD__ with a literal. */
export interface BuildInfo {
  version: string;
  commit: string;
  sourceDateEpoch: number;
  runtime: { kind: string; nodeVersion: string; libc: string; allocator: string; intl: string };
  /** seal.startup as configured: 'snapshot' means main.ts runs at build time and hands its main to the snapshot (absent from source). */
  startup?: 'code-cache' | 'snapshot' | 'none';
}

declare const __BROKER_BUILD__: BuildInfo | undefined;

// Running from source (tests, tsx) there is no bundle step: say so rather than invent values.
export const buildInfo: BuildInfo =
  typeof __BROKER_BUILD__ !== 'undefined'
    ? __BROKER_BUILD__
    : { version: '0.0.0-dev', commit: 'unknown', sourceDateEpoch: 0, runtime: { kind: 'source', nodeVersion: process.versions.node, libc: 'unknown', allocator: 'unknown', intl: 'unknown' } };
