// record --workers N as real processes under faults (issue 23 items 2 and 3): whichever process dies, and when
// the disk fills, what the workers answered and counted is what the archive holds.
// The cases are in faults/workers.ts (test/build/faults-artifact.test.ts runs them against the dist artifacts); here, the test bundle.
import { testBundle } from './faults/bin.ts';
import { workersCases } from './faults/workers.ts';

workersCases(testBundle);
