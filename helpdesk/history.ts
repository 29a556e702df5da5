/**
 * Recent telemetry per device, for charts around an anomaly: a fixed-size ring per device, so
 * memory stays bounded however long the helpdesk runs.
 */
export interface Point {
  ts: number;
  readings: Record<string, unknown>;
}

export function createHistory(options: { perDevice?: number } = {}) {
  const size = options.perDevice ?? 4 * 3600;
  const rings = new Map<string, { points: Point[]; next: number; full: boolean }>();

  return {
    add(key: string, p: Point): void {
      let r = rings.get(key);
      if (!r) {
        r = { points: [], next: 0, full: false };
        rings.set(key, r);
      }
      if (r.full) r.points[r.next] = p;
      else r.points.push(p);
      r.next = (r.next + 1) % size;
      if (r.next === 0) r.full = true;
    },
    /** Points of one device with from <= ts <= to, oldest first. */
    range(key: string, from = -Infinity, to = Infinity): Point[] {
      const r = rings.get(key);
      if (!r) return [];
      const ordered = r.full ? [...r.points.slice(r.next), ...r.points.slice(0, r.next)] : r.points;
      return ordered.filter((p) => p.ts >= from && p.ts <= to);
    },
    last(key: string): Point | undefined {
      const r = rings.get(key);
      if (!r || r.points.length === 0) return undefined;
      return r.points[(r.next - 1 + r.points.length) % r.points.length];
    },
  };
}
export type History = ReturnType<typeof createHistory>;
