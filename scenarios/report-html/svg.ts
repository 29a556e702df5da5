/**
 * Inline SVG charts as strings, pure: a time chart (a reading's mean as a line over its min-max band,
 * with marked moments), a timeline of lanes, and the scales and ticks they share. Every number is
 * written with a fixed number of decimals, so the same data gives the same bytes.
 */
import { esc, localClock } from './format.js';

export interface Mark {
  at: number;
  /** css class: fault, noticeable, detected, contacted, resolved, planned, deadline, requested */
  kind: string;
  label: string;
}

export interface Frame {
  width: number;
  height: number;
  from: number;
  to: number;
  /** the scenario's UTC offset: ticks fall on local whole hours and read as local time */
  offsetMinutes: number;
}

const PAD = { left: 52, right: 14, top: 24, bottom: 24 };
export const f1 = (x: number): string => (Object.is(Math.round(x * 10) / 10, -0) ? '0.0' : (Math.round(x * 10) / 10).toFixed(1));

export function xScale(fr: Frame, left = PAD.left): (t: number) => number {
  const w = fr.width - left - PAD.right;
  const span = Math.max(1, fr.to - fr.from);
  return (t) => left + ((t - fr.from) / span) * w;
}

const STEPS_MIN = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** local-time ticks: at most `max`, on multiples of a step that reads well */
export function timeTicks(fr: Frame, max = 9): number[] {
  const spanMin = (fr.to - fr.from) / 60_000;
  const step = (STEPS_MIN.find((s) => spanMin / s <= max) ?? 10080) * 60_000;
  const off = fr.offsetMinutes * 60_000;
  const first = Math.ceil((fr.from + off) / step) * step - off;
  const out: number[] = [];
  for (let t = first; t <= fr.to; t += step) out.push(t);
  return out;
}

/** 3 to 6 round values covering [lo, hi] */
export function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= 5)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function xAxis(fr: Frame, x: (t: number) => number, top: number, bottom: number): string {
  const days = fr.to - fr.from > 24 * 3600_000;
  return timeTicks(fr)
    .map((t) => {
      const label = localClock(t, fr.offsetMinutes, days);
      return `<line class="grid" x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${f1(top)}" y2="${f1(bottom)}"/><text class="tick" x="${f1(x(t))}" y="${f1(bottom + 14)}" text-anchor="middle">${esc(label)}</text>`;
    })
    .join('');
}

function marks(list: readonly Mark[], fr: Frame, x: (t: number) => number, top: number, bottom: number): string {
  return list
    .filter((m) => m.at >= fr.from && m.at <= fr.to)
    .map((m, i) => {
      const px = f1(x(m.at));
      const when = localClock(m.at, fr.offsetMinutes, true);
      return `<g class="mark ${esc(m.kind)}" data-mark="${esc(m.kind)}"><title>${esc(`${m.label} (${when})`)}</title><line x1="${px}" x2="${px}" y1="${f1(top - 4)}" y2="${f1(bottom)}"/><circle cx="${px}" cy="${f1(top - 4 - (i % 2) * 6)}" r="3.5"/></g>`;
    })
    .join('');
}

export interface TimeChartInput {
  frame: Frame;
  title: string;
  unit: string;
  /** [ts, mean, min, max] */
  points: ReadonlyArray<readonly [number, number, number, number]>;
  marks: readonly Mark[];
  /** shaded stretches (a load's run) behind the line */
  spans?: ReadonlyArray<{ from: number; to: number; kind: string; label: string }>;
}

/** A reading over time: the min-max band, the mean, the y ticks, the local-time ticks and the marks. */
export function timeChart(c: TimeChartInput): string {
  const { frame: fr, points } = c;
  const x = xScale(fr);
  const top = PAD.top;
  const bottom = fr.height - PAD.bottom;
  let lo = Math.min(...points.map((p) => p[2]));
  let hi = Math.max(...points.map((p) => p[3]));
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-6) [lo, hi] = [lo - 1, hi + 1];
  const padY = (hi - lo) * 0.08;
  const yt = niceTicks(lo - padY, hi + padY);
  const y0 = Math.min(lo - padY, yt[0]!);
  const y1 = Math.max(hi + padY, yt[yt.length - 1]!);
  const y = (v: number): number => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
  const yAxis = yt
    .map((v) => `<line class="grid" x1="${PAD.left}" x2="${fr.width - PAD.right}" y1="${f1(y(v))}" y2="${f1(y(v))}"/><text class="tick" x="${PAD.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${esc(num(v))}</text>`)
    .join('');
  const band = points.length
    ? `<path class="band" d="M${points.map((p) => `${f1(x(p[0]))},${f1(y(p[3]))}`).join('L')}L${[...points].reverse().map((p) => `${f1(x(p[0]))},${f1(y(p[2]))}`).join('L')}Z"/>`
    : '';
  const line = points.length ? `<path class="line" d="M${points.map((p) => `${f1(x(p[0]))},${f1(y(p[1]))}`).join('L')}"/>` : '';
  const spans = (c.spans ?? [])
    .map((sp) => {
      const x0 = x(Math.max(fr.from, sp.from));
      const x1 = x(Math.min(fr.to, sp.to));
      return `<rect class="span ${esc(sp.kind)}" x="${f1(x0)}" y="${top}" width="${f1(Math.max(1, x1 - x0))}" height="${f1(bottom - top)}"><title>${esc(sp.label)}</title></rect>`;
    })
    .join('');
  const empty = points.length ? '' : `<text class="tick" x="${f1(fr.width / 2)}" y="${f1((top + bottom) / 2)}" text-anchor="middle">no readings</text>`;
  return (
    `<svg class="chart" viewBox="0 0 ${fr.width} ${fr.height}" role="img" aria-label="${esc(`${c.title} (${c.unit})`)}" data-points="${points.length}">` +
    `<text class="label" x="${PAD.left}" y="11">${esc(c.title)} <tspan class="unit">${esc(c.unit)}</tspan></text>` +
    yAxis + xAxis(fr, x, top, bottom) + spans + band + line + empty + marks(c.marks, fr, x, top, bottom) +
    `</svg>`
  );
}

/** a number for an axis: at most two decimals, no trailing zeros */
export function num(v: number): string {
  const s = (Math.round(v * 100) / 100).toFixed(2).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

export interface Lane {
  label: string;
  /** bars from..to with a class and a tooltip */
  bars: ReadonlyArray<{ from: number; to: number; kind: string; label: string }>;
  marks: readonly Mark[];
}

/** Lanes over the whole replay: one a device (and one a customer's app), bars for tickets and loads, marks for moments. */
export function timeline(fr: Frame, lanes: readonly Lane[]): string {
  const left = 150;
  const laneH = 30;
  const height = PAD.top + lanes.length * laneH + PAD.bottom;
  const frame = { ...fr, height };
  const x = xScale(frame, left);
  const bottom = height - PAD.bottom;
  const rows = lanes
    .map((l, i) => {
      const top = PAD.top + i * laneH;
      const mid = top + laneH / 2;
      const bars = l.bars
        .map((b) => {
          const x0 = x(Math.max(fr.from, b.from));
          const x1 = Math.max(x0 + 3, x(Math.min(fr.to, b.to)));
          return `<rect class="bar ${esc(b.kind)}" x="${f1(x0)}" y="${f1(top + 7)}" width="${f1(x1 - x0)}" height="${laneH - 14}" rx="3"><title>${esc(b.label)}</title></rect>`;
        })
        .join('');
      const dots = l.marks
        .filter((m) => m.at >= fr.from && m.at <= fr.to)
        .map((m) => `<g class="mark ${esc(m.kind)}" data-mark="${esc(m.kind)}"><title>${esc(`${m.label} (${localClock(m.at, fr.offsetMinutes, true)})`)}</title><circle cx="${f1(x(m.at))}" cy="${f1(mid)}" r="5"/></g>`)
        .join('');
      return `<line class="lane" x1="${left}" x2="${fr.width - PAD.right}" y1="${f1(mid)}" y2="${f1(mid)}"/><text class="lane-label" x="${left - 10}" y="${f1(mid + 4)}" text-anchor="end">${esc(l.label)}</text>${bars}${dots}`;
    })
    .join('');
  return `<svg class="chart timeline" viewBox="0 0 ${fr.width} ${height}" role="img" aria-label="timeline">${xAxis(frame, x, PAD.top, bottom)}${rows}</svg>`;
}
