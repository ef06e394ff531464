import { readElfFile } from '../../../shared/elf/file.ts';
import { PT_LOAD, PT_NOTE } from '../../../shared/elf/parse.ts';
import type { StaticTarget } from './target.ts';

export interface ElfFacts {
  /** e_machine as the inspector names it ("AArch64", "Advanced Micro Devices X86-64"). */
  machine: string;
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
  return {
    machine: elf.header.machine,
    interpreter: elf.interpreter !== null,
    needed: elf.needed,
    note: elf.programHeaders.some((p) => p.type === PT_NOTE),
  };
}

/** The smallest alignment of the LOAD segments: the largest kernel page the binary can be mapped on. */
export function loadAlignment(path: string): number {
  return Math.min(
    ...readElfFile(path)
      .programHeaders.filter((p) => p.type === PT_LOAD)
      .map((p) => p.align),
  );
}

/** Static, for the target's machine, with the PT_NOTE postject needs, loadable on its largest pages. */
export function assertStatic(path: string, target: StaticTarget): ElfFacts {
  const facts = elfFacts(path);
  const largest = target.largestPageLg === undefined ? 0 : 2 ** target.largestPageLg;
  if (loadAlignment(path) < largest) throw new Error(`${path}: LOAD segments aligned to ${loadAlignment(path)}, a ${largest / 1024}K-page kernel cannot map it`);
  if (facts.machine !== target.elfMachine) throw new Error(`${path} is for ${facts.machine}, expected ${target.elfMachine} (linux-${target.arch})`);
  if (facts.interpreter) throw new Error(`${path} has a PT_INTERP: it is dynamically linked`);
  if (facts.needed.length) throw new Error(`${path} needs shared libraries: ${facts.needed.join(', ')}`);
  if (!facts.note) throw new Error(`${path} has no PT_NOTE: postject would inject nothing (link with -Wl,--build-id)`);
  return facts;
}
