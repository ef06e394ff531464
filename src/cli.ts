import { subcommand } from '../shared/cli-args/command-args.ts';
import { buildInfo } from './build-info.ts';
import { catCommand } from './commands/cat.ts';
import type { Command, CommandIO } from './commands/command.ts';
import { recordCommand } from './commands/record.ts';
import { replayCommand } from './commands/replay.ts';
import { statsCommand } from './commands/stats.ts';
import { verifyCommand } from './commands/verify.ts';
import { versionCommand } from './commands/version.ts';
import { UsageError } from './usage.ts';

export const commands: Command[] = [recordCommand, replayCommand, catCommand, statsCommand, verifyCommand, versionCommand];

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
    const command = commands.find((c) => c.name === name) as Command;
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
