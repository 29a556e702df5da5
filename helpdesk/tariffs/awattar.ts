/**
 * Day-ahead prices in aWATTar's `marketdata` format, from a feed or a file:
 *
 *   {"object":"list","data":[{"start_timestamp":1764543600000,"end_timestamp":1764547200000,
 *     "marketprice":98.43,"unit":"Eur/MWh"}, ...],"url":"/at/v1/marketdata"}
 *
 * Times are UTC epoch milliseconds; slots hourly or quarter-hourly; the unit EUR/MWh (EUR/kWh is
 * converted). Other keys are ignored. Pure: text in, a tariff of wholesale prices or a reason out.
 */
import { z } from 'zod';
import type { Tariff } from '../schedule/tariff.js';
import { MAX_TARIFF_SLOTS, tariffOfSlots } from './slots.js';

const Entry = z.object({
  start_timestamp: z.number().int(),
  end_timestamp: z.number().int(),
  marketprice: z.number(),
  unit: z.string().max(20),
});
const Body = z.object({ data: z.array(Entry).max(MAX_TARIFF_SLOTS) });

/** EUR/MWh per unit of the feed's prices, or null for a unit evernet does not read */
function perMwh(unit: string): number | null {
  const u = unit.toLowerCase().replace(/\s+/g, '');
  return u === 'eur/mwh' ? 1 : u === 'eur/kwh' ? 1000 : null;
}

/** Prices of an aWATTar-format body (already JSON-parsed), or a reason naming where it is wrong. */
export function parseAwattar(body: unknown, source: string): Tariff | { reason: string } {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { reason: `not aWATTar marketdata: ${issue.path.join('.') || 'the body'}: ${issue.message}` };
  }
  const slots = [];
  for (const [i, e] of parsed.data.data.entries()) {
    const factor = perMwh(e.unit);
    if (factor === null) return { reason: `data[${i}].unit: '${e.unit}' is not Eur/MWh or Eur/kWh` };
    slots.push({ start: e.start_timestamp, end: e.end_timestamp, eurPerMwh: e.marketprice * factor, at: `data[${i}]` });
  }
  const t = tariffOfSlots(source, slots);
  return 'reason' in t ? { reason: `${t.at}: ${t.reason}` } : t;
}
