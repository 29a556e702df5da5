/**
 * Tariffs from configuration, priced as the customer pays them (no fees are added): a fixed price per
 * kWh, or time-of-use bands in local time, e.g. 0.25 €/kWh from 22:00 and 0.35 €/kWh from 06:00 (each
 * band lasts until the next one starts, round the clock). Bands start on quarter-hours; a band may
 * hold for weekdays or weekends only, and wins over an every-day band starting at the same time.
 * Both are models: prices for any window, computed on demand. Pure.
 */
import type { TariffModel } from '../schedule/source.js';
import { HOUR_MS, makeTariff, QUARTER_HOUR_MS } from '../schedule/tariff.js';
import { localParts } from '../../contracts/local-time.js';

export interface Band {
  /** 'HH:MM' local, on a quarter-hour */
  from: string;
  eurPerKwh: number;
  /** which days the band applies to; default every day */
  days?: 'weekdays' | 'weekends' | 'all';
}

const eur = (x: number): string => `${x.toFixed(4)} €/kWh`;

export function fixedModel(eurPerKwh: number): TariffModel {
  return {
    label: `fixed tariff ${eur(eurPerKwh)}`,
    kind: 'fixed',
    slice(fromMs, toMs) {
      const start = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
      const n = Math.max(1, Math.ceil((toMs - start) / HOUR_MS));
      return makeTariff(`fixed ${eur(eurPerKwh)}`, start, new Float64Array(n).fill(eurPerKwh * 1000));
    },
  };
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Why a list of bands cannot be used, or null. */
export function checkBands(bands: readonly Band[]): string | null {
  if (bands.length === 0) return 'no bands';
  for (const [i, b] of bands.entries()) {
    if (!/^([01]\d|2[0-3]):(00|15|30|45)$/.test(b.from)) return `bands[${i}].from: '${b.from}' is not a quarter-hour 'HH:MM' (00:00 to 23:45)`;
    if (!Number.isFinite(b.eurPerKwh)) return `bands[${i}].eurPerKwh is not a number`;
  }
  for (const days of ['weekdays', 'weekends'] as const) {
    if (bandsOn(bands, days).length === 0) return `no band covers ${days}`;
    for (const kind of ['all', days]) {
      const starts = bands.filter((b) => (b.days ?? 'all') === kind).map((b) => b.from);
      const dup = starts.find((s, i) => starts.indexOf(s) !== i);
      if (dup) return `two bands start at ${dup} on ${kind === 'all' ? 'every day' : days}`;
    }
  }
  return null;
}

/** The bands of one kind of day, by start: a band for those days wins over an every-day band starting at the same time. */
function bandsOn(bands: readonly Band[], days: 'weekdays' | 'weekends'): Band[] {
  const own = bands.filter((b) => b.days === days);
  const all = bands.filter((b) => (b.days ?? 'all') === 'all' && !own.some((o) => o.from === b.from));
  return [...own, ...all].sort((a, b) => minutesOf(a.from) - minutesOf(b.from));
}

export function timeOfUseModel(bands: readonly Band[], timeZone: string): TariffModel {
  const problem = checkBands(bands);
  if (problem) throw new RangeError(`EVN_ERR_TARIFF_CONFIG: time-of-use ${problem}`);
  // per kind of day, the band in force at each quarter-hour of the day (96)
  const table = (days: 'weekdays' | 'weekends'): Float64Array => {
    const own = bandsOn(bands, days);
    const out = new Float64Array(96);
    for (let q = 0; q < 96; q++) {
      const m = q * 15;
      // the last band starting at or before m; before the first band of the day, the day's last one still runs
      const band = [...own].reverse().find((b) => minutesOf(b.from) <= m) ?? own[own.length - 1]!;
      out[q] = band.eurPerKwh * 1000;
    }
    return out;
  };
  const weekdays = table('weekdays');
  const weekends = table('weekends');
  const label = `time-of-use tariff ${bands.map((b) => `${eur(b.eurPerKwh)} from ${b.from}${b.days && b.days !== 'all' ? ` (${b.days})` : ''}`).join(', ')} (${timeZone})`;
  return {
    label,
    kind: 'time-of-use',
    slice(fromMs, toMs) {
      const start = Math.floor(fromMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
      const n = Math.max(1, Math.ceil((toMs - start) / QUARTER_HOUR_MS));
      const prices = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const p = localParts(start + i * QUARTER_HOUR_MS, timeZone);
        const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
        const q = p.hour * 4 + Math.floor(p.minute / 15);
        prices[i] = (weekday === 0 || weekday === 6 ? weekends : weekdays)[q]!;
      }
      return makeTariff(`time-of-use (${timeZone})`, start, prices, null, QUARTER_HOUR_MS);
    },
  };
}
