// A usage error is one line naming the option, the value, what is allowed and the --help, and exit 2: a --listen
// whose HOST is no IP address (999.1.1.1) is refused by the parser, not by a failing listen().
import { expect, it } from 'vitest';
import type { BrokerRun } from './bin.ts';

/** `run`: broker in-process (runBrokerCli) or as a process (processRun). */
export function usageCases(run: BrokerRun): void {
  it('record --listen 999.1.1.1:80 → exit 2 naming the problem', async () => {
    const r = await run('record', '--listen', '999.1.1.1:80');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^broker: --listen must be HOST:PORT with HOST an IP address or localhost .* got '999\.1\.1\.1:80' \(see 'broker record --help'\)$/);
  });
}
