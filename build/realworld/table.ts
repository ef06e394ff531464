/*
 * The shape of the real-world table (clis.ts) and its validation: each row is one popular CLI from npm at an
 * exact version, the real task it is given, and what of its effects must be the same when it runs as a
 * binary as when plain `node` runs its bin. Pure: checked before anything is installed or built.
 */

/** What the task's two runs (plain node, then the binary) are compared on. */
export type Compared = 'exit' | 'stdout' | 'stderr' | 'files';

/** A command run to its end in a fresh directory holding the task's files. */
export interface CommandTask {
  kind: 'command';
  /** One line for the docs: "format a TypeScript file". */
  describe: string;
  /** Files written into the run's directory first (relative path → text). */
  files: Record<string, string>;
  args: string[];
  stdin?: string;
  compare: Compared[];
  /** The plain-node run must exit with this (a linter that finds problems exits 1): else the task itself is broken. */
  exit: number;
  /** The plain-node run's stdout must match this, so the task is known to do its real work. */
  expect?: string;
}

/** A server started in a fresh directory holding the task's files, asked over HTTP, then stopped. */
export interface ServerTask {
  kind: 'server';
  describe: string;
  files: Record<string, string>;
  /** `{port}` stands for a free port chosen for the run. */
  args: string[];
  /** Paths requested with GET once the port accepts connections; status, content type and body are compared. */
  requests: string[];
  /** The plain-node run's first response body must match this. */
  expect?: string;
}

export type Task = CommandTask | ServerTask;

export interface RealWorldCli {
  /** The row's key (--only), letters, digits and '-'. */
  name: string;
  /** The npm package and its exact version. */
  package: string;
  version: string;
  /** Other packages the task needs installed next to it (exact versions). */
  extraDependencies?: Record<string, string>;
  /** formatter, linter, server, … (for the docs). */
  kind: string;
  /** The command of the package's `bin` the task runs. */
  bin: string;
  task: Task;
  /** A `seal` section written into the installed package's package.json: the config this CLI needs. */
  seal?: Record<string, unknown>;
  /** @yao-pkg/pkg's config (its assets, scripts), written as the installed package's .pkgrc. */
  pkg?: Record<string, unknown>;
  /** Why the row is here or what to know about it (docs). */
  note?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const EXACT = /^\d+\.\d+\.\d+(?:-[\w.]+)?$/;
const COMPARED: readonly Compared[] = ['exit', 'stdout', 'stderr', 'files'];

/** Every problem with the table, one line each; empty when it is fine. */
export function tableProblems(table: readonly RealWorldCli[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const cli of table) {
    const at = `row ${JSON.stringify(cli.name)}`;
    if (!NAME.test(cli.name)) problems.push(`${at}: name must be lower-case letters, digits and '-'`);
    if (seen.has(cli.name)) problems.push(`${at}: the name is used twice`);
    seen.add(cli.name);
    if (!EXACT.test(cli.version)) problems.push(`${at}: version ${JSON.stringify(cli.version)} is not an exact version`);
    for (const [dep, v] of Object.entries(cli.extraDependencies ?? {})) {
      if (!EXACT.test(v)) problems.push(`${at}: extra dependency ${dep}@${v} is not an exact version`);
    }
    if (cli.bin === '') problems.push(`${at}: bin is empty`);
    const { task } = cli;
    if (task.describe.trim() === '') problems.push(`${at}: the task has no description`);
    for (const file of Object.keys(task.files)) {
      if (file.startsWith('/') || file.split('/').includes('..')) problems.push(`${at}: task file ${file} is not inside the run's directory`);
    }
    for (const pattern of [task.expect]) {
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (err) {
        problems.push(`${at}: expect is not a regular expression (${(err as Error).message})`);
      }
    }
    if (task.kind === 'command') {
      if (task.compare.length === 0) problems.push(`${at}: the task compares nothing`);
      for (const c of task.compare) if (!COMPARED.includes(c)) problems.push(`${at}: cannot compare ${JSON.stringify(c)}; one of ${COMPARED.join(', ')}`);
      if (!Number.isInteger(task.exit) || task.exit < 0 || task.exit > 255) problems.push(`${at}: exit ${task.exit} is not an exit code`);
    } else {
      if (!task.args.some((a) => a.includes('{port}'))) problems.push(`${at}: a server task must pass {port} in its args`);
      if (task.requests.length === 0) problems.push(`${at}: a server task must make at least one request`);
      for (const r of task.requests) if (!r.startsWith('/')) problems.push(`${at}: request ${JSON.stringify(r)} must be a path starting with '/'`);
    }
  }
  return problems;
}

/** The rows --only names, in the table's order; an unknown name is an error listing the known ones. */
export function selectRows(table: readonly RealWorldCli[], only: string | undefined): RealWorldCli[] {
  if (only === undefined) return [...table];
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`--only names no row (got '${only}'); give row names separated by commas, e.g. ${table[0]?.name ?? 'cowsay'}`);
  const unknown = names.filter((n) => !table.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`--only: no row named ${unknown.join(', ')}; the rows are ${table.map((c) => c.name).join(', ')}`);
  return table.filter((c) => names.includes(c.name));
}
