// Issue 23, item 6: the archive holds exactly the requests whose 2xx went out. The cases are in
// faults/acknowledged.ts (test/build/faults-artifact.test.ts runs them against the dist artifacts); here, the test bundle.
import { acknowledgedCases } from './faults/acknowledged.ts';
import { testBundle } from './faults/bin.ts';

acknowledgedCases(testBundle);
