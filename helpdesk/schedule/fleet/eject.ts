/**
 * Ejection moves: an item wants a cheaper start where it does not fit; another item whose run covers every bin it
 * would overflow, with enough power there, is lifted, the first item takes the cheaper start and the other its
 * cheapest start that fits then. The move is kept when the two together cost less. (Single-item moves cannot do
 * this: a washer's heat phase needs room that only another washer's leaving frees.) Items are kept in buckets by
 * the bin their start lies in, so the items covering a bin are found in the buckets of the bins before it.
 * Work per item: at most `tries` cheaper starts × (the items starting within a run's length before the worst bin,
 * an O(1) check each) + `victims` full trials (bins of a load + a cheapest-fit search).
 * Pure (the starts are the caller's; kept fitting).
 */
import { binOfStart, type Grid } from './candidates.js';
import { LIMIT_TOLERANCE_W } from './profile.js';
import { addAt, cheapestFitBelow, fitsAt, profileOf } from './search.js';

export interface EjectOptions {
  /** cheaper starts tried per item */
  tries: number;
  /** other items tried per cheaper start */
  victims: number;
  /** cheaper starts and other items tried in all, at most: the pass stops there */
  budget: number;
}

/** one pass over `sequence`; returns the moves made and the budget spent */
export function improveEjections(grid: Grid, starts: Int32Array, sequence: readonly number[], limitW: number, o: EjectOptions): { moves: number; spent: number } {
  const items = grid.items;
  const p = profileOf(grid, starts);
  const cost = (k: number, g: number): number => items[k]!.shape.cost[g - grid.g0]!;
  const maxLen = grid.shapes.reduce((m, s) => Math.max(m, ...s.w.map((w) => w.length)), 0);
  // the most power any item has d bins after the bin of its start: buckets that cannot hold a victim are skipped
  const maxW = new Float64Array(maxLen);
  for (const s of grid.shapes) for (const w of s.w) w.forEach((x, d) => (maxW[d] = Math.max(maxW[d]!, x)));
  // buckets of items by the bin of their start (relative to the horizon)
  const buckets: number[][] = Array.from({ length: grid.nBins }, () => []);
  const pos = new Int32Array(items.length);
  const put = (k: number): void => {
    const b = buckets[binOfStart(grid, starts[k]!) - grid.originBin]!;
    pos[k] = b.length;
    b.push(k);
  };
  const take = (k: number): void => {
    const b = buckets[binOfStart(grid, starts[k]!) - grid.originBin]!;
    const last = b.pop()!;
    if (last !== k) {
      b[pos[k]!] = last;
      pos[last] = pos[k]!;
    }
  };
  items.forEach((_, k) => put(k));
  /** power of item v in horizon bin i (0 outside its run) */
  const powerIn = (v: number, i: number): number => {
    const g = starts[v]!;
    const b = binOfStart(grid, g);
    const w = items[v]!.shape.w[g - b * grid.phases]!;
    const d = i - (b - grid.originBin);
    return d >= 0 && d < w.length ? w[d]! : 0;
  };
  const overBins: number[] = [];
  const overBy: number[] = [];
  let moves = 0;
  let spent = 0;
  for (const k of sequence) {
    if (spent >= o.budget) break;
    const it = items[k]!;
    const cur = starts[k]!;
    const curCost = cost(k, cur);
    addAt(grid, p, it, cur, -1);
    const lo = it.gFirst - grid.g0;
    const hi = it.gLast - grid.g0;
    let tried = 0;
    let moved = false;
    for (const j of it.shape.byCost) {
      if (j < lo || j > hi) continue;
      const g = grid.g0 + j;
      if (cost(k, g) >= curCost - 1e-12 || ++tried > o.tries) break;
      spent++;
      // the bins the item would overflow at g, and the worst of them
      const b = binOfStart(grid, g);
      const w = it.shape.w[g - b * grid.phases]!;
      const off = b - grid.originBin;
      overBins.length = 0;
      overBy.length = 0;
      let worst = -1;
      for (let i = 0; i < w.length; i++) {
        const over = p[off + i]! + w[i]! - limitW;
        if (over > LIMIT_TOLERANCE_W) {
          overBins.push(off + i);
          overBy.push(over);
          if (worst < 0 || over > overBy[worst]!) worst = overBins.length - 1;
        }
      }
      if (worst < 0) {
        starts[k] = g; // fits outright
        moved = true;
        break;
      }
      // one other item that covers every overflowing bin with enough power
      {
        const wb = overBins[worst]!;
        let victims = 0;
        for (let sb = Math.max(0, wb - maxLen + 1); sb <= wb && !moved && victims < o.victims; sb++) {
          if (maxW[wb - sb]! < overBy[worst]!) continue;
          for (const v of buckets[sb]!) {
            if (v === k || powerIn(v, wb) < overBy[worst]!) continue;
            let covers = true;
            for (let x = 0; x < overBins.length && covers; x++) covers = powerIn(v, overBins[x]!) >= overBy[x]! - LIMIT_TOLERANCE_W;
            if (!covers) continue;
            if (++victims > o.victims) break;
            spent++;
            const vs = starts[v]!;
            addAt(grid, p, items[v]!, vs, -1);
            if (fitsAt(grid, p, it, g, limitW)) {
              addAt(grid, p, it, g, 1);
              const t = cheapestFitBelow(grid, p, items[v]!, limitW, curCost + cost(v, vs) - cost(k, g) - 1e-12);
              if (t >= 0) {
                take(v);
                starts[v] = t;
                put(v);
                addAt(grid, p, items[v]!, t, 1);
                addAt(grid, p, it, g, -1); // put back below with the item's new start
                starts[k] = g;
                moved = true;
                break;
              }
              addAt(grid, p, it, g, -1);
            }
            addAt(grid, p, items[v]!, vs, 1);
          }
        }
      }
      if (moved) break;
    }
    if (moved) {
      const g = starts[k]!;
      starts[k] = cur;
      take(k);
      starts[k] = g;
      put(k);
      moves++;
    }
    addAt(grid, p, it, starts[k]!, 1);
  }
  return { moves, spent };
}
