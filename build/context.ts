import type { Arch } from '../shared/toolchain/arch.ts';
import type { FileFact } from '../shared/toolchain/file-hash.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import type { Launcher } from './runtime/launcher.ts';
import type { OfficialSource } from './runtime/official.ts';
import type { Runtime } from './runtime/runtime.ts';

export type RuntimeRequest = { kind: 'official' } | { kind: 'static' } | { kind: 'custom'; path: string };

/** Everything the dist pipeline knows; each step reads what earlier steps filled in and adds its own part. */
export interface BuildContext {
  root: string;
  outDir: string;
  /** Scratch space for intermediates (bundle, blob, SEA config); removed when the build ends. */
  workDir: string;
  cacheDir: string;
  name: string;
  version: string;
  commit: string;
  sourceDateEpoch: number;
  nodeVersion: string;
  arch: Arch;
  runtimeRequest: RuntimeRequest;
  /** Where the official runtime comes from, and the npm integrity package.json pins for it. */
  officialSource?: OfficialSource;
  officialIntegrity?: string;
  log: Logger;

  runtime?: Runtime;
  /** How the runtime executes on this host (natively or under qemu); undefined when it cannot. */
  launcher?: Launcher;
  bundle?: FileFact;
  blob?: FileFact & { codeCache: boolean };
  /** The runtime copy with the blob injected, not yet verified. */
  injected?: string;
  artifact?: FileFact & { name: string };
  checksums?: FileFact;
  manifest?: FileFact;
  timings: { step: string; ms: number }[];
}

/** Reads a field an earlier step must have set; a missing one is a pipeline-order bug, said plainly. */
export function need<K extends keyof BuildContext>(ctx: BuildContext, key: K, step: string): NonNullable<BuildContext[K]> {
  const v = ctx[key];
  if (v === undefined || v === null) throw new Error(`step '${step}' needs '${String(key)}', which no earlier step produced`);
  return v as NonNullable<BuildContext[K]>;
}
