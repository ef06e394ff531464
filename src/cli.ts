import { subcommand } from '../shared/cli-args/command-args.ts';
import { UsageError } from '../shared/cli-args/usage-error.ts';
import { buildInfo } from './build-info.ts';
import type { CommandEntry, CommandIO } from './commands/command.ts';

/*
 * The command table. Each command's module is imported only when that command runs (esbuild keeps these
 * dynamic imports inside the one bundle, as modules initialised on first use), so a start parses and runs only
 * its own command's code. The summaries are here for `broker --help`; test/cli/cli.test.ts checks that each
 * equals its command's own.
 */
export const commands: CommandEntry[] = [
  { name: 'record', summary: 'answer every request like /dev/null and record it to an archive (or only count)', load: async () => (await import('./commands/record.ts')).recordCommand },
  { name: 'replay', summary: 'send the recorded requests to a target and report throughput, errors and latency percentiles', load: async () => (await import('./commands/replay.ts')).replayCommand },
  { name: 'cat', summary: 'print the recorded requests of an archive (--json: one JSON object per line)', load: async () => (await import('./commands/cat.ts')).catCommand },
  { name: 'stats', summary: 'summarize an archive: requests, time span, rate, methods, top paths, body sizes, integrity', load: async () => (await import('./commands/stats.ts')).statsCommand },
  { name: 'verify', summary: 'check every frame of an archive; --repair truncates it to the last good frame', load: async () => (await import('./commands/verify.ts')).verifyCommand },
  { name: 'version', summary: 'print the version; --json adds build metadata and what the binary sees of itself', load: async () => (await import('./commands/version.ts')).versionCommand },
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `broker ${buildInfo.version} — HTTP traffic broker: capture, record, inspect and replay requests`,
    '',
    'Usage: broker <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --version  print "broker <version>" and exit',
    '  --help     show this help; "broker <command> --help" for a command',
  ].join('\n');
}

/** Runs broker with argv (without node and script); returns the exit code instead of exiting. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.out(help());
      return 0;
    }
    if (first === '--version' || first === '-v') {
      io.out(`broker ${buildInfo.version}`);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'; the options are --version, --help (see 'broker --help')`);
    const name = subcommand(
      first,
      commands.map((c) => c.name),
      { help: 'broker --help' },
    );
    const command = await (commands.find((c) => c.name === name) as CommandEntry).load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`broker: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
