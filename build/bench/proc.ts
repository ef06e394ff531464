// Reading Linux's /proc for the benchmarks' process accounting.
import { readFileSync } from 'node:fs';

/**
 * The fields of a /proc/<pid>/stat (or .../task/<tid>/stat) file after the command name, or null when the
 * process is gone. Index 0 is the state, 3 the session id, 11 and 12 utime and stime (clock ticks). The
 * name is cut at the last ") ": it may itself hold spaces and parentheses.
 */
export function procStat(path: string): string[] | null {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}
