// Issue 23, item 5: a record whose time is no date is a bad frame for every reader. The cases are in
// faults/record-time.ts (test/build/faults-artifact.test.ts runs them against the dist artifacts); here, in-process.
import { runBrokerCli } from '../fixtures/run-cli.ts';
import { recordTimeCases } from './faults/record-time.ts';

recordTimeCases(runBrokerCli);
