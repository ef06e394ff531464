import { spawnSync } from 'node:child_process';
import type { StaticTarget } from './target.ts';

/** The kernel page sizes a target's runtime promises to run on: 4K up to jemalloc's built-in page. */
export function promisedPageSizes(target: StaticTarget): number[] {
  const sizes: number[] = [];
  if (target.largestPageLg === undefined) return sizes;
  for (let lg = 12; lg <= target.largestPageLg; lg += 2) sizes.push(2 ** lg);
  return sizes;
}

/**
 * Run the binary under qemu-user once per promised page size: `-p` makes the guest see that page
 * size (getpagesize, AT_PAGESZ, mmap granularity), so a jemalloc built for smaller pages fails here
 * ("Unsupported system page size") instead of on a Raspberry Pi 5 or a 64K-page RHEL kernel.
 * Returns what went wrong, or undefined.
 */
export function pageSizeProblem(target: StaticTarget, binary: string, args: string[]): string | undefined {
  const qemu = `${target.qemu}-static`;
  for (const size of promisedPageSizes(target)) {
    const run = spawnSync(qemu, ['-p', String(size), binary, ...args], { encoding: 'utf8', env: {}, timeout: 120_000 });
    if (run.error) return `${qemu} -p ${size} ${binary}: ${run.error.message} (apt-get install -y qemu-user-static)`;
    const out = `${run.stdout}${run.stderr}`;
    if (run.status !== 0 || out.includes('Unsupported system page size')) {
      return `${binary} fails on ${size / 1024}K pages (${qemu} -p ${size}): exit ${run.status ?? run.signal}\n${out.slice(-2000)}`;
    }
  }
  return undefined;
}
