import { captures } from './checked.ts';

/** Byte sizes as people write them on a command line: 1MiB, 512k, 64KiB, 1048576. */
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 2 ** 20, mb: 1e6, mib: 2 ** 20, g: 2 ** 30, gb: 1e9, gib: 2 ** 30, t: 2 ** 40, tb: 1e12, tib: 2 ** 40 };

/** The number of bytes, or null when the text is not a size (a fraction of a byte is not). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return null;
  const [amount, unitName] = captures(m, 2);
  const unit = UNITS[unitName.toLowerCase()];
  // A fraction of a larger unit is rounded to a byte (1.3k); a fraction of a byte names no size (0.4 read as 0 bytes).
  if (unit === undefined || (unit === 1 && !Number.isInteger(Number(amount)))) return null;
  return Math.round(Number(amount) * unit);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 2 ** 30) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n < 2 ** 40) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  return `${(n / 2 ** 40).toFixed(2)} TiB`;
}
