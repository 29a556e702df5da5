/** Telemetry points for charts: thinned to a bounded number, keeping the first and the last. */
export interface Point {
  ts: number;
  readings: Record<string, unknown>;
}

export function downsample(points: Point[], max: number): Point[] {
  if (points.length <= max) return points;
  const stride = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}
