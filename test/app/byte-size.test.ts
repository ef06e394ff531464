// Sizes on the command line (--max-body, --flush-bytes, --rotate) and in reports.
import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from '../../shared/byte-size.ts';

describe('byte sizes', () => {
  it('parses every unit a report prints, up to TiB', () => {
    expect(['512', '512k', '1MiB', '1.5g', '2TiB', '1t', '3tb'].map(parseSize)).toEqual([512, 512 * 1024, 2 ** 20, 1.5 * 2 ** 30, 2 * 2 ** 40, 2 ** 40, 3e12]);
    expect(['', 'lots', '1PiB', '-1'].map(parseSize)).toEqual([null, null, null, null]);
  });

  it('a fraction of a byte is no size (--max-body 0.4 was 0 bytes, 1.5 was 2); a fraction of a larger unit rounds to a byte', () => {
    expect(['0.4', '1.5', '2.5b', '2.0'].map(parseSize)).toEqual([null, null, null, 2]);
    expect(['1.3k', '0.5KiB'].map(parseSize)).toEqual([1331, 512]);
  });

  it('prints TiB from 1 TiB on, so a limit it names can be written back', () => {
    expect(formatBytes(2 ** 40 - 1)).toBe('1024.00 GiB');
    expect(formatBytes(2 ** 50)).toBe('1024.00 TiB');
    expect(parseSize(formatBytes(2 ** 50).replace(' ', ''))).toBe(2 ** 50);
  });
});
