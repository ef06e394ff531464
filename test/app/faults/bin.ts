// Which broker a fault case runs. The cases in test/app/faults/ register their tests for any of them: the test
// bundle on this node (test/app/*.test.ts) or a dist artifact (test/build/faults-artifact.test.ts).
import { type BrokerBin, runBroker } from '../broker-process.ts';

/** Read when a test runs, not when it is collected: an artifact is built in a beforeAll. undefined: the test bundle. */
export type BinOf = () => BrokerBin | undefined;

/** This node with the test bundle of src/. */
export const testBundle: BinOf = () => undefined;

/** broker run to completion: its exit code, stdout and stderr (as runBrokerCli gives them, in-process). */
export type BrokerRun = (...argv: string[]) => Promise<{ code: number | null; out: string; err: string }>;

/**
 * broker as a process, in runBrokerCli's shape: runBrokerCli joins the lines it was given with '\n', a process
 * ends each line with one, so the one after the last line is dropped (nothing else is changed).
 */
export function processRun(bin: BinOf): BrokerRun {
  return async (...argv) => {
    const r = await runBroker(argv, bin());
    return { code: r.code, out: r.stdout.replace(/\n$/, ''), err: r.stderr.replace(/\n$/, '') };
  };
}
