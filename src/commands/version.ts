import { buildInfo } from '../build-info.ts';
import { observeSelf } from '../self.ts';
import { parseCommandArgs } from '../usage.ts';
import type { Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version; --json adds build metadata and what the binary sees of itself',
  usage: 'broker version [--json]',
  run(argv, io) {
    const { values } = parseCommandArgs('version', argv, { json: { type: 'boolean' } });
    if (!values.json) {
      io.out(`broker ${buildInfo.version}`);
      return 0;
    }
    const report = {
      version: buildInfo.version,
      commit: buildInfo.commit,
      sourceDateEpoch: buildInfo.sourceDateEpoch,
      build: { runtime: buildInfo.runtime, startup: buildInfo.startup ?? null },
      self: observeSelf(),
    };
    io.out(JSON.stringify(report, null, 2));
    return 0;
  },
};
