import type { Note } from './parse.ts';
import type { ElfSource } from './source.ts';

/** Node's SEA sentinel; the byte after its ':' is the fuse, '0' in a plain runtime, '1' once a blob is injected. */
// Built with join() so the literal never appears in broker's own bundle: a second copy of the sentinel
// inside the injected blob would make the fuse ambiguous (esbuild folds '+' of literals, not join).
export const SEA_FUSE = ['NODE_SEA_FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');
/** The ELF note name postject gives the blob and Node looks up at start-up. */
export const SEA_BLOB_NOTE = 'NODE_SEA_BLOB';

export type FuseState = 'absent' | 'unflipped' | 'flipped';

export interface FuseScan {
  state: FuseState;
  /** File offsets of every occurrence of the sentinel; more than one means an ambiguous binary. */
  offsets: number[];
}

const CHUNK = 8 * 1024 * 1024;

/** Finds the sentinel anywhere in the bytes, reading in chunks so large runtimes need not be held twice. */
export function scanFuse(src: ElfSource, sentinel: string = SEA_FUSE): FuseScan {
  const needle = Buffer.from(`${sentinel}:`, 'latin1');
  const offsets: number[] = [];
  let state: FuseState = 'absent';
  for (let start = 0; start < src.size; start += CHUNK) {
    // Overlap chunks by the needle's length plus the fuse byte so a match on a boundary is seen once.
    const chunk = src.read(start, CHUNK + needle.length);
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
      if (at >= CHUNK) break;
      offsets.push(start + at);
      const fuse = buf[at + needle.length];
      if (fuse === 0x31) state = 'flipped';
      else if (state === 'absent') state = 'unflipped';
    }
  }
  return { state, offsets };
}

export function findSeaBlob(notes: Note[]): Note | undefined {
  return notes.find((n) => n.name === SEA_BLOB_NOTE && n.descSize > 0);
}
