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
 * Reads `npm run <name> -- [--help]` for the bench in `file` (its import.meta.filename): --help prints the file's
 * leading comment and exits 0; anything else is a usage error, exit 2.
 */
export function benchArgs(name: string, file: string): void {
  let help: boolean | undefined;
  try {
    help = parseCommandArgs(process.argv.slice(2), { help: { type: 'boolean' } }, { command: name, help: HELP }).values.help;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  if (help) {
    console.log(benchHelp(file));
    process.exit(0);
  }
}

/** The comment lines a bench's file starts with, without their `//`: what it measures and how to run it. */
export function benchHelp(file: string): string {
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
