/**
 * Where the planner gets its prices. A tariff provider (helpdesk/tariffs/) hands out a snapshot: its
 * primary prices (a market feed or file, with gaps as NaN; or a fixed or time-of-use tariff), an
 * optional fallback for where the primary has none, the zone its times are read in, and the feed's
 * last problem if its last refresh failed. A plain Tariff (the bundled 2020 file in replays) is a
 * snapshot with no fallback. Pure.
 */
import { covers, isSlotMs, makeTariff, priceAt, type Tariff } from './tariff.js';

export type TariffKind = 'market' | 'fixed' | 'time-of-use';

/** Prices for any window, as a tariff of slots. */
export interface TariffModel {
  /** what it is, for a load's basis and the dashboard: 'day-ahead prices (api.awattar.de)', 'fixed tariff 0.3200 €/kWh' */
  label: string;
  kind: TariffKind;
  /** the prices of [fromMs, toMs), from the slot containing fromMs; NaN where none is known */
  slice(fromMs: number, toMs: number): Tariff;
}

/** A feed's last failure: its code (EVN_ERR_TARIFF_FEED_*), what happened, and when (event time). */
export interface FeedProblem {
  code: string;
  message: string;
  at: number;
}

export interface TariffSnapshot {
  primary: TariffModel;
  /** priced where the primary has no price; null: none configured */
  fallback: TariffModel | null;
  /** the IANA zone times are given in (a load's basis); default 'Europe/Berlin' */
  timeZone: string;
  /** why the primary may lack prices: its feed's last refresh failed */
  problem: FeedProblem | null;
}

export interface TariffSource {
  /** the prices as known now; synchronous, cheap (the planner calls it for every offer) */
  current(): TariffSnapshot;
}

/** what the helpdesk is given: a tariff (replays, tests) or a provider */
export type TariffInput = Tariff | TariffSource;

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** a provider (or any source of snapshots), not a plain tariff */
export const isTariffSource = (t: TariffInput): t is TariffSource => typeof (t as TariffSource).current === 'function';
const isSource = isTariffSource;

/** A market tariff (a file, a feed's cache) as a model: slices are views of its arrays, NaN outside. */
/** the file name of a path, or a URL's host: labels never carry a machine's paths */
export function sourceName(source: string): string {
  if (/^https?:\/\//i.test(source)) {
    try {
      return new URL(source).host;
    } catch {
      return source;
    }
  }
  return source.split(/[\\/]/).pop() || source;
}

export function marketModel(t: Tariff, label = `day-ahead prices (${sourceName(t.source)})`): TariffModel {
  return {
    label,
    kind: 'market',
    slice(fromMs, toMs) {
      const S = t.slotMs;
      const i0 = Math.floor((fromMs - t.startMs) / S);
      const i1 = Math.max(i0 + 1, Math.ceil((toMs - t.startMs) / S));
      const n = t.eurPerMwh.length;
      const startMs = t.startMs + i0 * S;
      if (i0 >= 0 && i1 <= n) {
        return { ...t, startMs, eurPerMwh: t.eurPerMwh.subarray(i0, i1), gridLoadMw: t.gridLoadMw ? t.gridLoadMw.subarray(i0, i1) : null };
      }
      const eur = new Float64Array(i1 - i0).fill(Number.NaN);
      const load = t.gridLoadMw ? new Float64Array(i1 - i0).fill(Number.NaN) : null;
      for (let i = Math.max(0, i0); i < Math.min(n, i1); i++) {
        eur[i - i0] = t.eurPerMwh[i]!;
        if (load) load[i - i0] = t.gridLoadMw![i]!;
      }
      return { ...t, startMs, eurPerMwh: eur, gridLoadMw: load };
    },
  };
}

export function snapshotOf(input: TariffInput): TariffSnapshot {
  return isSource(input) ? input.current() : { primary: marketModel(input), fallback: null, timeZone: DEFAULT_TIME_ZONE, problem: null };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The prices of [fromMs, toMs): the primary's where it has them, the fallback's elsewhere. The result has the
 * finer of the two slot lengths; it keeps grid load only when every slot is the primary's and has one.
 * `fallbackSlots` counts the slots priced by the fallback.
 */
export function pricesFor(snap: TariffSnapshot, fromMs: number, toMs: number): { tariff: Tariff; fallbackSlots: number } {
  const p = snap.primary.slice(fromMs, toMs);
  if (!snap.fallback || covers(p, fromMs, toMs)) return { tariff: p, fallbackSlots: 0 };
  const f = snap.fallback.slice(fromMs, toMs);
  const S = gcd(p.slotMs, f.slotMs);
  if (!isSlotMs(S)) throw new RangeError(`EVN_ERR_TARIFF: slots of ${p.slotMs} and ${f.slotMs} ms have no common length`);
  const start = Math.floor(fromMs / S) * S;
  const n = Math.max(1, Math.ceil((toMs - start) / S));
  const eur = new Float64Array(n);
  const load = p.gridLoadMw ? new Float64Array(n) : null;
  let fallbackSlots = 0;
  let allLoad = load !== null;
  for (let i = 0; i < n; i++) {
    const t = start + i * S;
    const own = priceAt(p, t);
    if (Number.isNaN(own)) {
      eur[i] = priceAt(f, t);
      fallbackSlots++;
      allLoad = false;
    } else {
      eur[i] = own;
      if (load) {
        const g = p.gridLoadMw![Math.floor((t - p.startMs) / p.slotMs)]!;
        load[i] = g;
        if (!Number.isFinite(g)) allLoad = false;
      }
    }
  }
  const tariff = makeTariff(`${p.source} + ${f.source}`, start, eur, allLoad ? load : null, S);
  return { tariff: p.fees ? { ...tariff, fees: p.fees } : tariff, fallbackSlots };
}

/** Just after the last slot with a price, or null when no slot has one. */
export function pricedUntil(t: Tariff): number | null {
  for (let i = t.eurPerMwh.length - 1; i >= 0; i--) if (!Number.isNaN(t.eurPerMwh[i]!)) return t.startMs + (i + 1) * t.slotMs;
  return null;
}

export interface PriceSlotView {
  start: number;
  /** EUR/MWh the customer pays */
  eurPerMwh: number;
  gridLoadMw: number | null;
  /** priced by the fallback tariff (the primary has no price there) */
  fallback: boolean;
}

/**
 * The prices of [fromMs, toMs) slot by slot, as a dashboard shows them: the primary's where it has them,
 * the fallback's (flagged) elsewhere, nothing where neither does; at most `maxSlots`.
 */
export function priceWindow(snap: TariffSnapshot, fromMs: number, toMs: number, maxSlots: number): { slotMs: number; slots: PriceSlotView[] } {
  const p = snap.primary.slice(fromMs, toMs);
  const f = snap.fallback ? snap.fallback.slice(fromMs, toMs) : null;
  const slotMs = f ? gcd(p.slotMs, f.slotMs) : p.slotMs;
  const slots: PriceSlotView[] = [];
  for (let t = Math.floor(fromMs / slotMs) * slotMs; t < toMs && slots.length < maxSlots; t += slotMs) {
    const own = priceAt(p, t);
    if (!Number.isNaN(own)) {
      const g = p.gridLoadMw ? p.gridLoadMw[Math.floor((t - p.startMs) / p.slotMs)]! : Number.NaN;
      slots.push({ start: t, eurPerMwh: own, gridLoadMw: Number.isFinite(g) ? g : null, fallback: false });
    } else if (f && !Number.isNaN(priceAt(f, t))) {
      slots.push({ start: t, eurPerMwh: priceAt(f, t), gridLoadMw: null, fallback: true });
    }
  }
  return { slotMs, slots };
}
