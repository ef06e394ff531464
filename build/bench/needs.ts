import { requireHostPrograms } from '../../shared/toolchain/host-programs.ts';

/** A bench's host programs, checked before it builds or measures anything: a missing one ends it with the apt-get line. */
export function benchNeeds(bench: string, programs: Record<string, string>): void {
  try {
    requireHostPrograms(programs);
  } catch (err) {
    console.error(`${bench}: ${(err as Error).message}`);
    process.exit(1);
  }
}
