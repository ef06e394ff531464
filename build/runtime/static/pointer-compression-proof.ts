import { execFileSync } from 'node:child_process';

/**
 * What the runtime says of its V8 heap: whether its build recorded pointer compression, and the heap limit it takes
 * when asked for 8 GiB. With compressed pointers a heap cannot pass its 4 GiB cage, so the limit is where the
 * compression shows at run time, not only in the build's own record (process.config).
 */
const PROBE = `process.stdout.write(JSON.stringify({
  configured: process.config.variables.v8_enable_pointer_compression === 1,
  limit: require('v8').getHeapStatistics().heap_size_limit,
}))`;

const FOUR_GIB = 4 * 1024 ** 3;

export interface HeapFacts {
  configured: boolean;
  /** heap_size_limit under --max-old-space-size=8192, bytes. */
  limit: number;
}

export function heapFacts(binary: string): HeapFacts {
  return JSON.parse(execFileSync(binary, ['--max-old-space-size=8192', '-e', PROBE], { encoding: 'utf8', env: {} })) as HeapFacts;
}

/** The proof a runtime has pointer compression exactly when it is named for it. */
export function assertPointerCompression(binary: string, expected: boolean): HeapFacts {
  const facts = heapFacts(binary);
  const capped = facts.limit <= FOUR_GIB;
  const limit = `${(facts.limit / 1024 ** 3).toFixed(1)} GiB`;
  if (facts.configured !== expected || capped !== expected) {
    throw new Error(`${binary}: built ${expected ? 'with' : 'without'} V8 pointer compression, but its build records it ${facts.configured ? 'on' : 'off'} and --max-old-space-size=8192 gives a ${limit} heap limit`);
  }
  return facts;
}
