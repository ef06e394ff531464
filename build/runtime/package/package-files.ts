import type { StaticRuntimeManifest } from '../static/verify.ts';

/**
 * The runtime package's package.json. os/cpu: npm installs it only where it runs. No libc field: the
 * binary is fully static and runs on glibc and musl hosts alike, and npm would skip a libc: ["musl"]
 * package on every glibc host (docs/static-runtime.md, "Runtime packages"). No bin: it is a runtime to
 * inject into, not a node for PATH. No scripts. publishConfig.tag: every version is a prerelease, which
 * npm publishes only with an explicit tag.
 */
export function runtimePackageJson(m: StaticRuntimeManifest, name: string, version: string, repository?: string): object {
  return {
    name,
    version,
    description: `Node.js ${m.nodeVersion} for linux-${m.arch}, fully static (musl), ${m.allocator}, intl ${m.intl}: the runtime broker's 'dist --runtime static' injects into`,
    license: 'MIT',
    ...(repository ? { repository: { type: 'git', url: repository } } : {}),
    os: ['linux'],
    cpu: [m.arch],
    files: ['bin/node', 'manifest.json', 'sbom.cdx.json'],
    publishConfig: { tag: 'latest' },
  };
}

export function runtimePackageReadme(m: StaticRuntimeManifest, name: string, version: string): string {
  return `# ${name}@${version}

Node.js ${m.nodeVersion} for linux-${m.arch}, linked fully static against musl with ${m.allocator} as its allocator
and ${m.intl} Intl${m.icu ? ` (ICU ${m.icu})` : ''}: no loader, no shared libraries, so it runs on any Linux ${m.arch} kernel.

- \`bin/node\` — the stripped binary (sha256 \`${m.sha256}\`).
- \`manifest.json\` — how it was made: every source with its sha256 and origin, the Zig toolchain, configure
  flags, allocator, the time of each build stage, and the runtime key (\`${m.key}\`) the version is derived from.
- \`sbom.cdx.json\` — the same inputs as a CycloneDX 1.5 SBOM.

Made by \`npm run runtime -- pack\` from a runtime that passed the build's proofs. \`dist --runtime static\`
fetches it by exact version and integrity (package.json \`runtimes.staticRuntime\`), checks bin/node against
manifest.json and runs the same proofs again before caching it. Node.js is MIT-licensed; the SBOM lists
each bundled component.
`;
}
