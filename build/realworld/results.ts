/*
 * What a run found for each row, kept in <cache>/realworld/results.json (the newest result per row), so the
 * table can be measured a few rows at a time and docs/real-world.md still shows every row.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { realWorldDir } from './install.ts';

export type Status = 'pass' | 'fail' | 'skipped';

/** One column of a row: the toolchain on a runtime, or pkg. `detail` is the exact error, or what passed. */
export interface Column {
  status: Status;
  detail: string;
}

export interface RowResult {
  name: string;
  package: string;
  version: string;
  kind: string;
  task: string;
  /** The seal / pkg config the row needed (written into the package's package.json). */
  seal?: Record<string, unknown>;
  pkg?: Record<string, unknown>;
  /** Plain node (the official runtime) running the bin: whether it did the task, or why not. */
  reference: Column;
  official: Column;
  static: Column;
  pkgSea: Column;
  measuredAt: string;
  /** The toolchain's commit it was measured at (git describe --dirty). */
  toolchain: string;
}

function resultsFile(): string {
  return join(realWorldDir(), 'results.json');
}

export async function loadResults(): Promise<Record<string, RowResult>> {
  return readFile(resultsFile(), 'utf8').then(
    (s) => JSON.parse(s) as Record<string, RowResult>,
    () => ({}),
  );
}

/** Merges this run's rows into the stored ones (a row measured again replaces its old result). */
export async function saveResults(rows: RowResult[]): Promise<Record<string, RowResult>> {
  const all = await loadResults();
  for (const r of rows) all[r.name] = r;
  await writeFile(resultsFile(), `${JSON.stringify(all, null, 2)}\n`);
  return all;
}
