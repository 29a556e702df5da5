/**
 * The coordinator's moves on the aggregate (bin means over the grid's horizon, candidates.ts): put an item at a
 * start, check a start against the limit, the cheapest start that fits in a given order, a greedy placement, and
 * local improvement (one item, then pairs) on the true cost. Every move keeps a fitting fleet fitting.
 * Pure (the profile and the starts are the caller's working arrays).
 */
import { binOfStart, type Grid, type Item } from './candidates.js';
import { LIMIT_TOLERANCE_W } from './profile.js';

export function addAt(grid: Grid, p: Float64Array, it: Item, g: number, sign: 1 | -1): void {
  const b = binOfStart(grid, g);
  const prof = it.shape.w[g - b * grid.phases]!;
  const o = b - grid.originBin;
  for (let i = 0; i < prof.length; i++) p[o + i]! += sign * prof[i]!;
}

/** true when the item started at g keeps every bin within the limit (its heaviest bins checked first) */
export function fitsAt(grid: Grid, p: Float64Array, it: Item, g: number, limitW: number): boolean {
  const b = binOfStart(grid, g);
  const ph = g - b * grid.phases;
  const prof = it.shape.w[ph]!;
  const heavy = it.shape.heavy[ph]!;
  const o = b - grid.originBin;
  const cap = limitW + LIMIT_TOLERANCE_W;
  for (let k = 0; k < heavy.length; k++) {
    const i = heavy[k]!;
    if (p[o + i]! + prof[i]! > cap) return false;
  }
  return true;
}

/** how far the item started at g takes the aggregate above the limit at worst (0: it fits) */
export function overflowAt(grid: Grid, p: Float64Array, it: Item, g: number, limitW: number): number {
  const b = binOfStart(grid, g);
  const prof = it.shape.w[g - b * grid.phases]!;
  const o = b - grid.originBin;
  let worst = 0;
  for (let i = 0; i < prof.length; i++) worst = Math.max(worst, p[o + i]! + prof[i]! - limitW);
  return worst > LIMIT_TOLERANCE_W ? worst : 0;
}

/**
 * The first start in `order` (the shape's starts, as indices from grid.g0) within the item's range that fits;
 * else the one that overflows least (then first in order). [g, overflow]
 */
export function firstFit(grid: Grid, p: Float64Array, it: Item, order: Int32Array, limitW: number): [number, number] {
  const lo = it.gFirst - grid.g0;
  const hi = it.gLast - grid.g0;
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    if (j < lo || j > hi) continue;
    if (fitsAt(grid, p, it, grid.g0 + j, limitW)) return [grid.g0 + j, 0];
  }
  let best = it.gFirst;
  let bestOver = Number.POSITIVE_INFINITY;
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    if (j < lo || j > hi) continue;
    const over = overflowAt(grid, p, it, grid.g0 + j, limitW);
    if (over < bestOver - LIMIT_TOLERANCE_W) [best, bestOver] = [grid.g0 + j, over];
  }
  return [best, bestOver];
}

/** the cheapest start within the item's range that fits and costs less than `below` (EUR), or −1 */
export function cheapestFitBelow(grid: Grid, p: Float64Array, it: Item, limitW: number, below: number): number {
  const lo = it.gFirst - grid.g0;
  const hi = it.gLast - grid.g0;
  const order = it.shape.byCost;
  const cost = it.shape.cost;
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    if (cost[j]! >= below) return -1;
    if (j < lo || j > hi) continue;
    if (fitsAt(grid, p, it, grid.g0 + j, limitW)) return grid.g0 + j;
  }
  return -1;
}

export function profileOf(grid: Grid, starts: Int32Array): Float64Array {
  const p = new Float64Array(grid.nBins);
  grid.items.forEach((it, k) => addAt(grid, p, it, starts[k]!, 1));
  return p;
}

export const costOf = (grid: Grid, starts: Int32Array): number => grid.items.reduce((a, it, k) => a + it.shape.cost[starts[k]! - grid.g0]!, 0);

/**
 * Greedy in `sequence` (item indices): each item at the first fitting start of its shape's `orders` entry. From
 * `from` (each item lifted and put back; a fitting start is never traded for an overflowing one), else from empty.
 */
export function greedy(grid: Grid, sequence: readonly number[], limitW: number, orders: readonly Int32Array[], from: Int32Array | null): Int32Array {
  const starts = from ? Int32Array.from(from) : new Int32Array(grid.items.length);
  const p = from ? profileOf(grid, starts) : new Float64Array(grid.nBins);
  const shapeIndex = new Map(grid.shapes.map((s, i) => [s, i]));
  for (const k of sequence) {
    const it = grid.items[k]!;
    if (from) addAt(grid, p, it, starts[k]!, -1);
    const [g, over] = firstFit(grid, p, it, orders[shapeIndex.get(it.shape)!]!, limitW);
    if (!(from && over > 0 && fitsAt(grid, p, it, starts[k]!, limitW))) starts[k] = g;
    addAt(grid, p, it, starts[k]!, 1);
  }
  return starts;
}

/** lift each item (in `sequence`) and put it back at its cheapest fitting start; `passes` rounds, until nothing moves */
export function improve(grid: Grid, starts: Int32Array, sequence: readonly number[], limitW: number, passes: number): void {
  const p = profileOf(grid, starts);
  for (let pass = 0; pass < passes; pass++) {
    let moved = false;
    for (const k of sequence) {
      const it = grid.items[k]!;
      const cur = starts[k]!;
      addAt(grid, p, it, cur, -1);
      const [g, over] = firstFit(grid, p, it, it.shape.byCost, limitW);
      const c = it.shape.cost;
      if (over === 0 && g !== cur && (c[g - grid.g0]! < c[cur - grid.g0]! - 1e-12 || !fitsAt(grid, p, it, cur, limitW))) {
        starts[k] = g;
        moved = true;
      }
      addAt(grid, p, it, starts[k]!, 1);
    }
    if (!moved) return;
  }
}

/**
 * Pairs whose runs can meet, in `sequence` order: both lifted, put back one after the other (both orders) at their
 * cheapest fitting starts; the cheaper fitting outcome is kept. At most `budget` pairs.
 */
export function improvePairs(grid: Grid, starts: Int32Array, sequence: readonly number[], limitW: number, budget: number): void {
  const p = profileOf(grid, starts);
  const items = grid.items;
  const c = (k: number, g: number): number => items[k]!.shape.cost[g - grid.g0]!;
  const reach = items.map((it) => it.gLast + Math.ceil(it.shape.w[0]!.length * grid.phases) + 1);
  let spent = 0;
  for (let x = 0; x < sequence.length && spent < budget; x++) {
    for (let y = x + 1; y < sequence.length && spent < budget; y++) {
      const [a, b] = [sequence[x]!, sequence[y]!];
      const A = items[a]!;
      const B = items[b]!;
      if (reach[a]! <= B.gFirst || reach[b]! <= A.gFirst) continue; // their runs cannot meet
      spent++;
      const before = c(a, starts[a]!) + c(b, starts[b]!);
      addAt(grid, p, A, starts[a]!, -1);
      addAt(grid, p, B, starts[b]!, -1);
      let best: [number, number] | null = null;
      let bestCost = before - 1e-12;
      for (const [u, v] of [[a, b], [b, a]] as const) {
        const [gu, ou] = firstFit(grid, p, items[u]!, items[u]!.shape.byCost, limitW);
        if (ou > 0) continue;
        addAt(grid, p, items[u]!, gu, 1);
        const [gv, ov] = firstFit(grid, p, items[v]!, items[v]!.shape.byCost, limitW);
        addAt(grid, p, items[u]!, gu, -1);
        if (ov > 0) continue;
        const cost = c(u, gu) + c(v, gv);
        if (cost < bestCost) [best, bestCost] = [u === a ? [gu, gv] : [gv, gu], cost];
      }
      if (best) [starts[a], starts[b]] = best;
      addAt(grid, p, A, starts[a]!, 1);
      addAt(grid, p, B, starts[b]!, 1);
    }
  }
}
