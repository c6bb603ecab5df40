import { Resvg } from '@resvg/resvg-js';
import type { Distribution } from './_stats';

/**
 * A latency-distribution chart as SVG: latency (log scale) against percentile on a scale that
 * stretches the tail (50, 90, 99, 99.9 equally spaced), one line per distribution. `toPng` renders
 * it with resvg and the system's fonts.
 */
const W = 960;
const H = 540;
const M = { top: 70, right: 30, bottom: 70, left: 80 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const TAIL = 0.0005; // the right edge stands for 99.95th percentile and above (the maximum)

const xOf = (p: number) => -Math.log10(Math.max(1 - p / 100, TAIL));
const X_MAX = xOf(100);
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmtMs(v: number): string {
  if (v >= 1000) return `${Number((v / 1000).toPrecision(3))} s`;
  if (v >= 1) return `${Number(v.toPrecision(3))} ms`;
  return `${Number(v.toPrecision(2))} ms`;
}

export function latencySvg(title: string, subtitle: string, series: Distribution[]): string {
  const withData = series.filter((s) => s.points.length);
  const values = withData.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v > 0);
  const lo = values.length ? Math.min(...values) : 1;
  const hi = values.length ? Math.max(...values) : 10;
  const yMin = Math.pow(10, Math.floor(Math.log10(lo)));
  const yMax = Math.pow(10, Math.ceil(Math.log10(hi * 1.01)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (p: number) => M.left + (xOf(p) / X_MAX) * pw;
  const py = (v: number) =>
    M.top + ph - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="30" font-size="20" font-weight="bold" fill="#111">${esc(title)}</text>`,
    `<text x="${M.left}" y="52" font-size="13" fill="#444">${esc(subtitle)}</text>`,
  ];
  // y grid: 1, 2, 5 × 10^k
  for (let d = yMin; d <= yMax * 1.0001; d *= 10)
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > yMax * 1.0001) break;
      const y = py(v);
      out.push(
        `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`,
        `<text x="${M.left - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#333">${esc(fmtMs(v))}</text>`,
      );
    }
  for (const [p, label] of [
    [0, 'min'],
    [50, 'p50'],
    [90, 'p90'],
    [99, 'p99'],
    [99.9, 'p99.9'],
    [100, 'max'],
  ] as const) {
    const x = px(p);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" stroke="#ddd"/>`,
      `<text x="${x}" y="${M.top + ph + 20}" font-size="12" text-anchor="middle" fill="#333">${label}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 20}" font-size="13" text-anchor="middle" fill="#333">percentile (tail stretched)</text>`,
    `<text x="22" y="${M.top + ph / 2}" font-size="13" text-anchor="middle" fill="#333" transform="rotate(-90 22 ${M.top + ph / 2})">latency (log scale)</text>`,
  );
  withData.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${px(p.p).toFixed(1)},${py(p.v).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2.5"/>`);
    const p99 = s.points.find((p) => p.p === 99);
    if (p99)
      out.push(
        `<circle cx="${px(99)}" cy="${py(p99.v)}" r="4" fill="${colour}"/>`,
        `<text x="${px(99) - 8}" y="${py(p99.v) - 8}" font-size="12" text-anchor="end" fill="${colour}">p99 ${esc(fmtMs(p99.v))}</text>`,
      );
    const ly = M.top + 18 + i * 20;
    out.push(
      `<line x1="${M.left + 14}" x2="${M.left + 40}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${M.left + 48}" y="${ly}" font-size="13" fill="#111">${esc(s.label)}</text>`,
    );
  });
  if (!withData.length)
    out.push(
      `<text x="${W / 2}" y="${H / 2}" font-size="16" text-anchor="middle" fill="#a00">no samples</text>`,
    );
  out.push('</svg>');
  return out.join('\n');
}

export function toPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
