import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

/** One skipped test: its file, its titles from the outermost group to the test, and ctx.skip's note if any. */
export interface SkippedTest {
  file: string;
  titles: string[];
  note?: string;
}

// The colon is part of the marker: a title may say "skipped" in prose ("FILE.1 and FILE.2 are skipped and left as they
// were"), which is no reason and must not hide its group's.
const MARKER = /(?:^|[\s([—-])(?:SKIPPED|skipped):\s*/;

/** Why a test was skipped: ctx.skip's note, else the text after "SKIPPED:" / "skipped:" in its own or a group's title. */
export function skipReason(t: SkippedTest): string | undefined {
  if (t.note) return t.note;
  for (const title of [...t.titles].reverse()) {
    const m = MARKER.exec(title);
    if (!m) continue;
    const opener = m[0].trimStart()[0];
    let reason = title.slice(m.index + m[0].length).trim();
    if ((opener === '(' && reason.endsWith(')')) || (opener === '[' && reason.endsWith(']'))) reason = reason.slice(0, -1).trim();
    if (reason) return reason;
  }
  return undefined;
}

/** The lines printed at the end of the run: how many tests skipped, grouped by reason, with where. */
export function skipReport(skipped: SkippedTest[]): string[] {
  if (skipped.length === 0) return ['skipped: none'];
  const byReason = new Map<string, Map<string, number>>();
  for (const t of skipped) {
    const found = skipReason(t);
    const reason = found ?? 'NO REASON GIVEN (say why in the title: "(SKIPPED: why)"), or left out by a -t filter';
    const at = found ? t.file : `${t.file} › ${t.titles.join(' › ')}`;
    const where = byReason.get(reason) ?? new Map<string, number>();
    where.set(at, (where.get(at) ?? 0) + 1);
    byReason.set(reason, where);
  }
  const lines = [`skipped: ${skipped.length} test${skipped.length === 1 ? '' : 's'}, ${byReason.size} reason${byReason.size === 1 ? '' : 's'}`];
  for (const [reason, where] of byReason) {
    const n = [...where.values()].reduce((a, b) => a + b, 0);
    lines.push(`  ${n} × ${reason}`, `      in ${[...where].map(([file, k]) => `${file} (${k})`).join(', ')}`);
  }
  return lines;
}

function titles(test: TestCase): string[] {
  const names = [test.name];
  for (let p = test.parent; p.type === 'suite'; p = p.parent) names.unshift(p.name);
  return names;
}

/** Prints the skip report after vitest's own summary, so no skip passes unseen at the end of `npm test`. */
export default class SkipReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const m of modules) {
      for (const test of m.children.allTests()) {
        const r = test.result();
        if (r.state !== 'skipped') continue;
        skipped.push({ file: relative(this.root, m.moduleId), titles: titles(test), note: r.note });
      }
    }
    process.stdout.write(`\n${skipReport(skipped).join('\n')}\n`);
  }
}
