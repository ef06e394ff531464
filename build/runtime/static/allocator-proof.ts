import { spawnSync } from 'node:child_process';
import { JEMALLOC_CONF } from './allocator.ts';
import type { Allocator } from './context.ts';

/** What a binary prints with every allocator's "print statistics at exit" switch on. */
function statistics(binary: string, args: string[]): string {
  const env = { ...process.env, MALLOC_CONF: 'stats_print:true', MIMALLOC_SHOW_STATS: '1' };
  const run = spawnSync(binary, args, { env, encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`;
}

function allocatorIn(stats: string): Allocator | undefined {
  if (stats.includes('Begin jemalloc statistics')) return 'jemalloc';
  if (/^\s*heap stats:/m.test(stats) || stats.includes('mimalloc')) return 'mimalloc';
  return undefined;
}

const builtInConfIn = (stats: string) => /config\.malloc_conf: "([^"]*)"/.exec(stats)?.[1];

/**
 * Run a binary with the allocator's "print statistics at exit" switch and check they were
 * printed: the proof that the allocator linked in is the one serving malloc. For musl there is
 * no such switch, so the proof is that neither jemalloc nor mimalloc answers.
 */
export function allocatorAnswers(binary: string, args: string[]): Allocator | undefined {
  return allocatorIn(statistics(binary, args));
}

/** The settings compiled into a jemalloc binary (`config.malloc_conf` in its statistics), or undefined. */
export function jemallocBuiltInConf(binary: string, args: string[]): string | undefined {
  return builtInConfIn(statistics(binary, args));
}

/** One run of the binary proves both which allocator serves malloc and, for jemalloc, its settings. */
export function assertAllocator(binary: string, args: string[], expected: Allocator): void {
  const stats = statistics(binary, args);
  const found = allocatorIn(stats);
  const want = expected === 'musl' ? undefined : expected;
  if (found !== want) {
    throw new Error(`${binary}: expected allocator ${expected}, statistics say ${found ?? 'none (musl malloc)'}`);
  }
  if (expected !== 'jemalloc') return;
  const conf = builtInConfIn(stats);
  if (conf !== JEMALLOC_CONF) throw new Error(`${binary}: jemalloc's built-in settings are "${conf ?? '?'}", expected "${JEMALLOC_CONF}"`);
}
