import { readElfFile } from '../../../shared/elf/file.ts';
import { PT_NOTE } from '../../../shared/elf/parse.ts';

export interface ElfFacts {
  /** A PT_INTERP means a dynamic loader is needed: not static. */
  interpreter: boolean;
  /** DT_NEEDED entries: shared libraries the binary asks for. */
  needed: string[];
  /** PT_NOTE: postject needs one (from -Wl,--build-id) or injects nothing. */
  note: boolean;
}

/** Facts from broker's own ELF reader (the inspector's), so the build and the product judge alike. */
export function elfFacts(path: string): ElfFacts {
  const elf = readElfFile(path);
  return { interpreter: elf.interpreter !== null, needed: elf.needed, note: elf.programHeaders.some((p) => p.type === PT_NOTE) };
}

export function assertStatic(path: string): ElfFacts {
  const facts = elfFacts(path);
  if (facts.interpreter) throw new Error(`${path} has a PT_INTERP: it is dynamically linked`);
  if (facts.needed.length) throw new Error(`${path} needs shared libraries: ${facts.needed.join(', ')}`);
  if (!facts.note) throw new Error(`${path} has no PT_NOTE: postject would inject nothing (link with -Wl,--build-id)`);
  return facts;
}
