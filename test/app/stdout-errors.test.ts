// Issue 23, item 4: a write error on stdout is one line and exit 1 from every command; a reader that closes the
// pipe early (EPIPE) ends broker quietly, exit 0. The cases are in faults/stdout-errors.ts
// (test/build/faults-artifact.test.ts runs them against the dist artifacts); here, the test bundle.
import { testBundle } from './faults/bin.ts';
import { stdoutErrorsCases } from './faults/stdout-errors.ts';

stdoutErrorsCases(testBundle);
