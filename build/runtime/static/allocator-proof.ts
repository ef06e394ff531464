import { spawnSync } from 'node:child_process';
import { JEMALLOC_CONF } from './allocator.ts';
import type { Allocator } from './context.ts';

/**
 * Run a binary with the allocator's "print statistics at exit" switch and check they were
 * printed: the proof that the allocator linked in is the one serving malloc. For musl there is
 * no such switch, so the proof is that neither jemalloc nor mimalloc answers.
 */
export function allocatorAnswers(binary: string, args: string[]): Allocator | undefined {
  const env = { ...process.env, MALLOC_CONF: 'stats_print:true', MIMALLOC_SHOW_STATS: '1' };
  const run = spawnSync(binary, args, { env, encoding: 'utf8' });
  const out = `${run.stdout}${run.stderr}`;
  if (out.includes('Begin jemalloc statistics')) return 'jemalloc';
  if (/^\s*heap stats:/m.test(out) || out.includes('mimalloc')) return 'mimalloc';
  return undefined;
}

/** The settings compiled into a jemalloc binary (`config.malloc_conf` in its statistics), or undefined. */
export function jemallocBuiltInConf(binary: string, args: string[]): string | undefined {
  const run = spawnSync(binary, args, { env: { ...process.env, MALLOC_CONF: 'stats_print:true' }, encoding: 'utf8' });
  return /config\.malloc_conf: "([^"]*)"/.exec(`${run.stdout}${run.stderr}`)?.[1];
}

export function assertAllocator(binary: string, args: string[], expected: Allocator): void {
  const found = allocatorAnswers(binary, args);
  const want = expected === 'musl' ? undefined : expected;
  if (found !== want) {
    throw new Error(`${binary}: expected allocator ${expected}, statistics say ${found ?? 'none (musl malloc)'}`);
  }
  if (expected !== 'jemalloc') return;
  const conf = jemallocBuiltInConf(binary, args);
  if (conf !== JEMALLOC_CONF) throw new Error(`${binary}: jemalloc's built-in settings are "${conf ?? '?'}", expected "${JEMALLOC_CONF}"`);
}
