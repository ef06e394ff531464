import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';

describe('broker CLI', () => {
  it('--version prints "broker <version>"', async () => {
    const r = await run('--version');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^broker \S+$/);
  });

  it('--help and no arguments list the commands', async () => {
    for (const argv of [['--help'], []]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: broker <command>');
      expect(r.out).toMatch(/^\s+version\s/m);
    }
  });

  it("the command table's names and summaries are each command's own (its code loads only when it runs)", async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });

  it('an unknown command exits 2 naming the word and pointing at --help', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toBe("broker: unknown command 'frobnicate'; the commands are record, replay, cat, stats, verify, version (see 'broker --help')");
  });

  it('an unknown flag exits 2, top level and per command', async () => {
    expect(await run('--frob')).toMatchObject({ code: 2, err: "broker: unknown option '--frob'; the options are --version, --help (see 'broker --help')" });
    expect(await run('version', '--frob')).toMatchObject({ code: 2, err: "broker: unknown option '--frob' for 'version'; its options are --json, --help (see 'broker version --help')" });
    expect(await run('version', 'extra')).toMatchObject({ code: 2, err: "broker: unexpected argument 'extra' for 'version' (see 'broker version --help')" });
  });

  it('version --json reports build facts and what the process observes', async () => {
    const r = await run('version', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ version: expect.any(String), commit: expect.any(String), sourceDateEpoch: expect.any(Number) });
    expect(j.self.nodeVersion).toBe(process.versions.node);
    expect(j.self.arch).toBe(process.arch);
    // The test host's node is a dynamic glibc build: the ELF reader must say so.
    expect(j.self).toMatchObject({ libc: { family: 'glibc' }, linkage: 'dynamic', static: false, sea: false });
  });
});
