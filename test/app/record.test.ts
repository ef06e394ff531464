// broker record as a real process (the test bundle): the cases are in faults/record.ts, which
// test/build/faults-artifact.test.ts runs against the dist artifacts too.
import { expect, it } from 'vitest';
import { startBroker } from './broker-process.ts';
import { testBundle } from './faults/bin.ts';
import { recordCases } from './faults/record.ts';

recordCases(testBundle);

it('startBroker helper spawns the bundle', async () => {
  const r = await startBroker(['--version']);
  expect((await r.exited).code).toBe(0);
  expect(r.stdout()).toMatch(/^broker /);
});
