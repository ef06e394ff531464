/** Random-access bytes the ELF parser reads from; keeps parsing pure and lets files be read lazily. */
export interface ElfSource {
  readonly size: number;
  /** Returns exactly `length` bytes starting at `offset`, or fewer when the source ends first. */
  read(offset: number, length: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array): ElfSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}
