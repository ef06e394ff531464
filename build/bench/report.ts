import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine line every benchmark section starts with: numbers mean nothing without it. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, host Node ${process.version}`;
}

/** The 1, 5 and 15 minute load averages as /proc/loadavg gives them ("1.42 1.51 1.39"): a run's noise to read. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

/** Replaces (or appends) one generated section of a doc (docs/benchmarks.md unless named), leaving the others alone. */
export async function writeSection(root: string, id: string, markdown: string, doc = 'benchmarks.md'): Promise<string> {
  const path = join(root, 'docs', doc);
  await mkdir(join(root, 'docs'), { recursive: true });
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n\nEach section is written by its `npm run bench:*` command; the command and the machine are in the section.\n');
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  await writeFile(path, re.test(current) ? current.replace(re, block) : `${current.trimEnd()}\n\n${block}\n`);
  return path;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
