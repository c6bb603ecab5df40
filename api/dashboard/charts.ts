import { escapeHtml } from './html';

/**
 * Server-rendered charts: inline SVG, no script. Each chart is an image with a title and a text
 * summary for screen readers; bars and points carry a <title> with their figure.
 */

export interface HourBucket {
  hour: Date;
  value: number;
}

const HOUR = 3_600_000;
const W = 480;
const H = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

/** The 24 hour starts ending with the current hour. */
export function last24Hours(now = Date.now()): Date[] {
  const current = Math.floor(now / HOUR) * HOUR;
  return Array.from({ length: 24 }, (_, i) => new Date(current - (23 - i) * HOUR));
}

/** Values for each of the 24 hours (missing hours are `fill`). */
export function onHours(points: HourBucket[], hours: Date[], fill: number | null = 0): (number | null)[] {
  const byHour = new Map(points.map((p) => [Math.floor(p.hour.getTime() / HOUR) * HOUR, p.value]));
  return hours.map((h) => byHour.get(h.getTime()) ?? fill);
}

/** A pleasant axis maximum: 1, 2 or 5 × 10^n at or above the largest value. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const hourLabel = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:00`;

function frame(
  id: string,
  title: string,
  summary: string,
  inner: string,
  yMax: number,
  unit: (v: number) => string,
) {
  const plotH = H - PAD.top - PAD.bottom;
  const ticks = [0, yMax / 2, yMax]
    .map((v) => {
      const y = PAD.top + plotH - (v / yMax) * plotH;
      return `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/><text class="tick" x="${PAD.left - 4}" y="${y + 4}" text-anchor="end">${escapeHtml(unit(v))}</text>`;
    })
    .join('');
  return `<figure class="chart" id="${escapeHtml(id)}"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${escapeHtml(id)}-t ${escapeHtml(id)}-d" preserveAspectRatio="none"><title id="${escapeHtml(id)}-t">${escapeHtml(title)}</title><desc id="${escapeHtml(id)}-d">${escapeHtml(summary)}</desc>${ticks}${inner}</svg><p class="summary">${escapeHtml(summary)}</p></figure>`;
}

function xAxis(hours: Date[]): string {
  const step = (W - PAD.left - PAD.right) / hours.length;
  return hours
    .map((h, i) =>
      i % 6 === 0
        ? `<text class="tick" x="${PAD.left + i * step + step / 2}" y="${H - 6}" text-anchor="middle">${hourLabel(h)}</text>`
        : '',
    )
    .join('');
}

/** Bars per hour (orders per hour). */
export function barChart(opts: {
  id: string;
  title: string;
  hours: Date[];
  values: number[];
  unit?: (v: number) => string;
  summary: string;
}): string {
  const unit = opts.unit ?? ((v: number) => String(Math.round(v)));
  const yMax = niceMax(Math.max(0, ...opts.values));
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / opts.hours.length;
  const bars = opts.values
    .map((v, i) => {
      const h = (v / yMax) * plotH;
      return `<rect class="bar" x="${PAD.left + i * step + 1}" y="${PAD.top + plotH - h}" width="${Math.max(1, step - 2)}" height="${h}"><title>${hourLabel(opts.hours[i]!)}: ${escapeHtml(unit(v))}</title></rect>`;
    })
    .join('');
  return frame(opts.id, opts.title, opts.summary, bars + xAxis(opts.hours), yMax, unit);
}

/** Lines per hour, one per series (latency percentiles, lag per sync, error rate per system). */
export function lineChart(opts: {
  id: string;
  title: string;
  hours: Date[];
  series: { name: string; values: (number | null)[] }[];
  unit?: (v: number) => string;
  yMax?: number;
  summary: string;
}): string {
  const unit = opts.unit ?? ((v: number) => String(Math.round(v)));
  const all = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yMax = opts.yMax ?? niceMax(Math.max(0, ...all));
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / opts.hours.length;
  const x = (i: number) => PAD.left + i * step + step / 2;
  const y = (v: number) => PAD.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const lines = opts.series
    .map((s, k) => {
      // A gap where an hour has no figure: each run of hours with figures is its own path.
      let d = '';
      let pen = false;
      const dots: string[] = [];
      s.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
        dots.push(
          `<circle class="dot s${k % 4}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5"><title>${escapeHtml(s.name)} ${hourLabel(opts.hours[i]!)}: ${escapeHtml(unit(v))}</title></circle>`,
        );
      });
      return `<path class="line s${k % 4}" d="${d}"/>${dots.join('')}`;
    })
    .join('');
  const legend =
    opts.series.length > 1
      ? `<g class="legend">${opts.series.map((s, k) => `<text class="s${k % 4}" x="${PAD.left + 4 + k * 110}" y="${PAD.top + 8}">● ${escapeHtml(s.name)}</text>`).join('')}</g>`
      : '';
  return frame(opts.id, opts.title, opts.summary, lines + legend + xAxis(opts.hours), yMax, unit);
}
