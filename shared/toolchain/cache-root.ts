import { homedir } from 'node:os';
import { join } from 'node:path';

/** Root of every cached build input and output; outside the repo so it survives clean clones. */
export function cacheRoot(): string {
  return process.env.BROKER_CACHE || join(homedir(), '.cache', 'broker');
}
