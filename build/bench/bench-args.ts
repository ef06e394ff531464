/*
 * What every bench reads from its command line and environment, before it measures anything: a bench runs minutes
 * and pauses a detached runtime build, so `npm run bench:x -- --help` (or a typo) must not start one. The only
 * argument is --help, which prints the bench's own header; the BENCH_* numbers are checked to be what they say.
 */
import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../../shared/cli-args/command-args.ts';
import { UsageError } from '../../shared/cli-args/usage-error.ts';

const HELP = 'README.md, Benchmarks';

/**
 * Reads `npm run <name> -- [--help] [--FLAG…]` for the bench in `file` (its import.meta.filename): --help prints the
 * file's leading comment and exits 0; `flags` are the bench's own switches (bench:runtime's --warm), returned as set or
 * not; anything else is a usage error, exit 2.
 */
export function benchArgs(name: string, file: string, flags: readonly string[] = []): Record<string, boolean> {
  const options = Object.fromEntries([...flags, 'help'].map((f) => [f, { type: 'boolean' as const }]));
  let values: Record<string, boolean | undefined>;
  try {
    ({ values } = parseCommandArgs(process.argv.slice(2), options, { command: name, help: HELP }) as { values: Record<string, boolean | undefined> });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(benchHelp(file));
    process.exit(0);
  }
  return Object.fromEntries(flags.map((f) => [f, values[f] === true]));
}

/** The comment lines a bench's file starts with, without their `//`: what it measures and how to run it. */
function benchHelp(file: string): string {
  const lines: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n');
}

/** A whole number from the environment variable `name` (its default when unset), at least `min`; else exit 2 naming it. */
export function envInt(name: string, fallback: number, min = 1): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  if (/^\d+$/.test(given) && Number(given) >= min) return Number(given);
  console.error(`error: ${name} must be a whole number from ${min}, got '${given}' (see '${HELP}')`);
  process.exit(2);
}
