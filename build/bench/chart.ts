/** A grouped horizontal bar chart as plain SVG: one group per variant, one bar per series. */
export interface ChartGroup {
  label: string;
  values: (number | null)[];
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function barChart(title: string, series: string[], groups: ChartGroup[], unit: string): string {
  const barH = 14;
  const gap = 10;
  const labelW = 300;
  const plotW = 420;
  const groupH = series.length * barH + gap;
  const height = 60 + groups.length * groupH + 20 * series.length;
  const max = Math.max(1, ...groups.flatMap((g) => g.values.filter((v): v is number => v !== null)));
  const scale = plotW / max;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 80}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  groups.forEach((g, gi) => {
    const y0 = 40 + gi * groupH;
    out.push(`<text x="10" y="${y0 + (series.length * barH) / 2 + 4}">${esc(g.label)}</text>`);
    g.values.forEach((v, si) => {
      const y = y0 + si * barH;
      if (v === null) {
        out.push(`<text x="${labelW}" y="${y + 11}" fill="#999">missing</text>`);
        return;
      }
      out.push(`<rect x="${labelW}" y="${y}" width="${(v * scale).toFixed(1)}" height="${barH - 2}" fill="${COLORS[si % COLORS.length]}"/>`);
      out.push(`<text x="${labelW + v * scale + 4}" y="${y + 11}">${v.toFixed(2)}${esc(unit)}</text>`);
    });
  });
  // Reference line at 1.0 (the baseline) when the values are ratios.
  if (unit === '×') out.push(`<line x1="${labelW + scale}" y1="32" x2="${labelW + scale}" y2="${40 + groups.length * groupH}" stroke="#333" stroke-dasharray="3,3"/>`);
  series.forEach((s, si) => {
    const y = 50 + groups.length * groupH + si * 18;
    out.push(`<rect x="10" y="${y - 10}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/><text x="28" y="${y}">${esc(s)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
