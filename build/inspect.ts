import type { PortabilityReport } from '../shared/elf/portability.ts';

/** Human form of the inspector's report; --json prints the report object itself. */
export function formatReport(path: string, r: PortabilityReport): string {
  const versions = r.requires
    .filter((q) => Object.keys(q.maxVersions).length > 0)
    .map(
      (q) =>
        `${q.library}: ${Object.entries(q.maxVersions)
          .map(([f, v]) => `${f}_${v}`)
          .join(', ')}`,
    );
  const rows: [string, string][] = [
    ['file', path],
    ['class', `${r.class}, ${r.data}`],
    ['machine', r.machine],
    ['type', r.type],
    ['linkage', r.linkage],
    ['interpreter', r.interpreter ?? '(none)'],
    ['needed', r.needed.length ? r.needed.join(', ') : '(none)'],
    ['runpath', r.runpath ?? '(none)'],
    ['rpath', r.rpath ?? '(none)'],
    ['versions', versions.length ? versions.join('; ') : '(none)'],
    ['PT_NOTE', r.ptNote ? `yes${r.buildId ? ' (GNU build-id)' : ''}` : 'NO — postject cannot inject into this binary'],
    ['SEA blob', r.seaBlob.present ? `yes, ${r.seaBlob.size} bytes` : 'no'],
    ['SEA fuse', r.seaFuse ?? 'not scanned'],
    ['verdict', r.verdict],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
