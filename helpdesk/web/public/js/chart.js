// Telemetry charts with uPlot (served from node_modules/uplot/dist): the main readings of a device
// kind, with optional marks (the anomaly band, the detection point, the resolution). Times are in
// `zone`, the device's customer's: the ticks are laid out and labelled on that clock, and the time
// axis names the zone.
import { h, time } from './dom.js';
import { formatTime, zonedDate, zoneLabel } from './time.js';

export const SERIES = {
  'car-battery': [['voltageV', 'Voltage', 'V', '#1f5fbf'], ['currentA', 'Battery current', 'A', '#c2453c']],
  fridge: [['cabinetTempC', 'Cabinet', '°C', '#1f5fbf'], ['setpointC', 'Set point', '°C', '#7a869a'], ['ambientTempC', 'Room', '°C', '#c28a00']],
  washer: [['powerW', 'Power', 'W', '#1f5fbf'], ['waterTempC', 'Water', '°C', '#c2453c']],
};

function columns(kind, points) {
  const series = SERIES[kind] ?? [];
  const xs = points.map((p) => p.ts / 1000);
  return [xs, ...series.map(([key]) => points.map((p) => (typeof p.readings[key] === 'number' ? p.readings[key] : null)))];
}

function drawMarks(u, marks) {
  const { ctx, bbox } = u;
  const x = (t) => u.valToPos(t / 1000, 'x', true);
  ctx.save();
  if (marks.since != null && marks.detectedAt != null && marks.since < marks.detectedAt) {
    ctx.fillStyle = 'rgba(194, 69, 60, 0.10)';
    ctx.fillRect(x(marks.since), bbox.top, Math.max(1, x(marks.detectedAt) - x(marks.since)), bbox.height);
  }
  const line = (t, color, text, row) => {
    if (t == null) return;
    const px = Math.round(x(t));
    if (px < bbox.left || px > bbox.left + bbox.width) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(px, bbox.top);
    ctx.lineTo(px, bbox.top + bbox.height);
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillText(text, px + 4 * devicePixelRatio, bbox.top + (14 + 16 * row) * devicePixelRatio);
  };
  line(marks.detectedAt, '#b3261e', 'detected', 0);
  line(marks.resolvedAt, '#1e7a46', 'resolved', 1);
  ctx.restore();
}

/** Draws into `container`; returns { setData(points), setMarks(marks), destroy() }. */
export function telemetryChart(container, kind, points, marks = {}, zone = undefined) {
  const series = SERIES[kind] ?? [];
  container.dataset.points = String(points.length);
  if (!window.uPlot || series.length === 0) {
    container.append(h('p', { class: 'muted' }, series.length ? 'The chart library did not load.' : `No chart for devices of kind ${kind}.`));
    return { setData() {}, setMarks() {}, destroy() {} };
  }
  const units = [...new Set(series.map((s) => s[2]))];
  let current = marks;
  const opts = {
    width: Math.max(280, container.clientWidth || 600),
    height: 280,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    // uPlot places time ticks by the local fields of the Dates tzDate gives: the zone's wall clock
    tzDate: (ts) => zonedDate(ts * 1000, zone),
    series: [{ label: 'Time', value: (u, v) => (v == null ? '—' : time(v * 1000, zone)) }, ...series.map(([, name, unit, stroke]) => ({ label: `${name} (${unit})`, stroke, width: 2, scale: unit, spanGaps: true, value: (u, v) => (v == null ? '—' : `${v.toFixed(2)} ${unit}`) }))],
    axes: [{ label: `Time, ${zoneLabel(points[0]?.ts ?? marks.since ?? 0, zone)}`, values: (u, splits) => splits.map((v) => formatTime(v * 1000, zone, { seconds: false, showZone: false })) }, ...units.map((unit, i) => ({ scale: unit, side: i === 0 ? 3 : 1, label: unit, grid: { show: i === 0 } }))],
    hooks: { draw: [(u) => drawMarks(u, current)] },
  };
  const u = new window.uPlot(opts, columns(kind, points), container);
  const onResize = () => u.setSize({ width: Math.max(280, container.clientWidth), height: 280 });
  window.addEventListener('resize', onResize);
  return {
    setData(next) {
      container.dataset.points = String(next.length);
      u.setData(columns(kind, next));
    },
    setMarks(m) {
      current = m;
      u.redraw(false);
    },
    destroy() {
      window.removeEventListener('resize', onResize);
      u.destroy();
    },
  };
}
