import type { Linkage, VersionNeed } from '../shared/elf/parse.ts';
import { maxVersions } from '../shared/elf/portability.ts';
import type { ImageFacts } from './facts.ts';

export interface Prediction {
  expected: 'pass' | 'fail';
  reason: string;
}

export interface ArtifactNeeds {
  linkage: Linkage;
  interpreter: string | null;
  needed: string[];
  versionNeeds: VersionNeed[];
}

/** The inspector's prediction for one image: what the loader will find missing, before anything runs. */
export function predict(artifact: ArtifactNeeds, facts: ImageFacts): Prediction {
  if (artifact.linkage === 'static' || artifact.linkage === 'static-pie') return { expected: 'pass', reason: `${artifact.linkage}: needs nothing from the image` };
  if (artifact.interpreter !== null && !facts.interpreterPresent) return { expected: 'fail', reason: `no loader ${artifact.interpreter}` };
  const missing = artifact.needed.filter((n) => !facts.libraries[n]);
  if (missing.length) return { expected: 'fail', reason: `missing ${missing.join(', ')}` };
  for (const need of artifact.versionNeeds) {
    const lib = facts.libraries[need.file];
    if (!lib) continue;
    const absent = need.versions.filter((v) => !lib.versionDefs.includes(v));
    if (absent.length) {
      const has = Object.entries(maxVersions({ file: need.file, versions: lib.versionDefs }))
        .map(([f, v]) => `${f}_${v}`)
        .join(', ');
      return { expected: 'fail', reason: `${need.file} lacks ${absent.join(', ')}${has ? ` (has up to ${has})` : ''}` };
    }
  }
  return { expected: 'pass', reason: `${facts.libc}: every library and symbol version present` };
}
