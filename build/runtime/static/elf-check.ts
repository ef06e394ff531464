import { execFileSync } from 'node:child_process';

export interface ElfFacts {
  /** A PT_INTERP means a dynamic loader is needed: not static. */
  interpreter: boolean;
  /** DT_NEEDED entries: shared libraries the binary asks for. */
  needed: string[];
  /** PT_NOTE: postject needs one (from -Wl,--build-id) or injects nothing. */
  note: boolean;
}

/** Facts from readelf (binutils): program headers and the dynamic section. */
export function elfFacts(path: string): ElfFacts {
  const headers = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const dynamic = execFileSync('readelf', ['-dW', path], { encoding: 'utf8' });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  return {
    interpreter: /^\s*INTERP\s/m.test(headers),
    needed,
    note: /^\s*NOTE\s/m.test(headers),
  };
}

export function assertStatic(path: string): ElfFacts {
  const facts = elfFacts(path);
  if (facts.interpreter) throw new Error(`${path} has a PT_INTERP: it is dynamically linked`);
  if (facts.needed.length) throw new Error(`${path} needs shared libraries: ${facts.needed.join(', ')}`);
  if (!facts.note) throw new Error(`${path} has no PT_NOTE: postject would inject nothing (link with -Wl,--build-id)`);
  return facts;
}
