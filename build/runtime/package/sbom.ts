import { createHash } from 'node:crypto';
import type { StaticRuntimeManifest } from '../static/verify.ts';

/** A UUID-shaped serial derived from the binary's hash: the same runtime always gets the same SBOM bytes. */
function serialFor(sha256: string): string {
  const h = createHash('sha256').update(`sbom:${sha256}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The runtime's SBOM (CycloneDX 1.5 JSON), from its manifest: the binary as the described component,
 * every source and the toolchain it was made from as components with their sha256 and origin. Plain
 * JSON: the manifest already holds every fact, so a model library would only re-shape it. No timestamp,
 * so equal runtimes give equal files.
 */
export function runtimeSbom(m: StaticRuntimeManifest, pkg: { name: string; version: string }): object {
  const self = `pkg:npm/${pkg.name}@${pkg.version}`;
  const props = (o: Record<string, string | undefined>) => Object.entries(o).flatMap(([name, value]) => (value === undefined ? [] : [{ name: `broker:${name}`, value }]));
  const components = m.inputs.map((input, i) => ({
    type: input.name === 'zig' ? 'application' : 'library',
    'bom-ref': `input-${i}:${input.name}@${input.version}`,
    name: input.name,
    version: input.version,
    hashes: [{ alg: 'SHA-256', content: input.sha256 }],
    ...(/^https?:\/\//.test(input.origin) ? { externalReferences: [{ type: 'distribution', url: input.origin }] } : {}),
    properties: props({ origin: input.origin }),
  }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: serialFor(m.sha256),
    version: 1,
    metadata: {
      tools: { components: [{ type: 'application', name: 'broker runtime pack' }] },
      component: {
        type: 'application',
        'bom-ref': self,
        name: pkg.name,
        version: pkg.version,
        description: `Node.js ${m.nodeVersion} for linux-${m.arch}, fully static (musl), allocator ${m.allocator}, intl ${m.intl ?? 'unknown'}`,
        purl: self,
        hashes: [{ alg: 'SHA-256', content: m.sha256 }],
        properties: props({ 'runtime-key': m.key, target: m.target, libc: m.libc, allocator: m.allocator, intl: m.intl, icu: m.icu, 'configure-flags': m.configureFlags?.join(' ') }),
      },
    },
    components,
    dependencies: [{ ref: self, dependsOn: components.map((c) => c['bom-ref']) }, ...components.map((c) => ({ ref: c['bom-ref'] }))],
  };
}
