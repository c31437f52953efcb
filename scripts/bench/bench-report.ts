import { readFileSync, writeFileSync } from 'node:fs';

/** One contender's throughput and p99 at each connection count of the sweep. */
export interface SweepSeries {
  readonly name: string;
  readonly points: readonly { connections: number; requestsPerSecond: number; p99: number }[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/** One panel: a value against connection count, a line per contender. */
function panel(
  series: readonly SweepSeries[],
  value: (point: SweepSeries['points'][number]) => number,
  title: string,
  x0: number,
): string {
  const width = 420;
  const height = 260;
  const left = x0 + 50;
  const top = 40;
  const plotWidth = width - 70;
  const plotHeight = height - 80;
  const connections = [...new Set(series.flatMap((s) => s.points.map((p) => p.connections)))].sort((a, b) => a - b);
  const max = Math.max(1, ...series.flatMap((s) => s.points.map(value))) * 1.1;
  const x = (c: number) => left + (connections.indexOf(c) / Math.max(1, connections.length - 1)) * plotWidth;
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return [
    `<text x="${x0 + width / 2}" y="22" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
    ...ticks.map(
      (t) =>
        `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t.toFixed(0)}</text>` +
        `<line x1="${left}" y1="${y(t)}" x2="${left + plotWidth}" y2="${y(t)}" stroke="#eee"/>`,
    ),
    ...connections.map(
      (c) =>
        `<text x="${x(c).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" font-size="11">${c}</text>`,
    ),
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 34}" text-anchor="middle" font-size="12">connections</text>`,
    ...series.map((s, i) => {
      const points = s.points.map((p) => `${x(p.connections).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
      const dots = s.points
        .map(
          (p) =>
            `<circle cx="${x(p.connections).toFixed(1)}" cy="${y(value(p)).toFixed(1)}" r="3" fill="${COLORS[i % COLORS.length]}"/>`,
        )
        .join('');
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${points}"/>${dots}`;
    }),
  ].join('\n');
}

/** Throughput and p99 against connection count, side by side, with a legend: an SVG a reader sees at once. */
export function sweepChart(series: readonly SweepSeries[]): string {
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${20 + i * 210}" y="282" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>` +
        `<text x="${38 + i * 210}" y="292" font-size="12">${s.name}</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(860, 20 + series.length * 210)}" height="310" font-family="sans-serif" font-size="13">`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(series, (p) => p.requestsPerSecond, 'requests/s (higher is better)', 0),
    panel(series, (p) => p.p99, 'p99 latency, ms (lower is better)', 430),
    legend,
    '</svg>',
    '',
  ].join('\n');
}

const START = '<!-- bench:last-run:start -->';
const END = '<!-- bench:last-run:end -->';

/** Replaces the last-run section of docs/performance.md (between its markers) with `body`. */
export function writeLastRun(path: string, body: string): void {
  const document = readFileSync(path, 'utf8');
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} ... ${END} section`);
  writeFileSync(path, `${document.slice(0, start + START.length)}\n\n${body.trim()}\n\n${document.slice(end)}`);
}
