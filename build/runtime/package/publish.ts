import { execa } from 'execa';
import type { StaticRuntimePin } from '../pin.ts';
import type { PackedRuntime } from './pack.ts';

/**
 * Publishes a packed runtime unless its version exists already (a version names one build, never
 * overwritten: the published bytes stay the pinned ones), and returns the pin of what the registry
 * now serves — its own integrity, read back. npm's config (registry, NODE_AUTH_TOKEN through .npmrc)
 * applies; provenance needs CI's OIDC token (GitHub Actions: permissions id-token: write).
 */
export async function publishRuntime(packed: PackedRuntime, o: { provenance: boolean; cwd: string; report: (line: string) => void }): Promise<StaticRuntimePin & { published: boolean }> {
  const spec = `${packed.pin.package}@${packed.pin.version}`;
  // --loglevel=error: under `npm run --silent` the inherited loglevel would hide the E404 this reads.
  const published = async (): Promise<string | undefined> => {
    const seen = await execa('npm', ['view', spec, 'dist.integrity', '--loglevel=error'], { cwd: o.cwd, reject: false });
    if (seen.exitCode === 0) return seen.stdout.trim() || undefined;
    if (/\bE404\b/.test(seen.stderr)) return undefined;
    throw new Error(`cannot tell whether ${spec} is published (npm view: ${seen.stderr.trim().split('\n')[0]}); not publishing blindly — check the registry settings (npm config get registry)`);
  };
  const existing = await published();
  if (existing) {
    o.report(`${spec} is published already (${existing}): not publishing it again`);
    return { ...packed.pin, integrity: existing, published: false };
  }
  const out = await execa('npm', ['publish', packed.tarball, ...(o.provenance ? ['--provenance'] : [])], { cwd: o.cwd, all: true });
  for (const line of out.all.split('\n').filter((l) => /^\+ |Publishing to|provenance/i.test(l))) o.report(line);
  const integrity = await published();
  if (integrity !== packed.pin.integrity) throw new Error(`published ${spec}, but the registry reports integrity ${integrity ?? 'none'} instead of ${packed.pin.integrity}`);
  o.report(`published ${spec} (${integrity})`);
  return { ...packed.pin, published: true };
}
