/**
 * Which customers the report lists (`evernet replay --report-customers all|none|N`): a fleet's tickets,
 * faults, loads and shopping answers, one entry each, make a report of 10,000 homes huge and
 * unreadable, while its `byKind` figures say what most readers want. The lists are kept for all
 * customers, none or the first N in the scenario's order; what is left out is said in `customers`.
 * Listing every customer leaves the report as it was, byte for byte.
 */

/** 'all', 'none' or how many customers to list, the first in the scenario's order */
export type CustomerListing = 'all' | 'none' | number;

/** up to this many customers, every one is listed by default */
export const LIST_ALL_UP_TO = 100;

/** the report's lists with an entry per customer, dropped or cut together */
export const CUSTOMER_LISTS = ['tickets', 'faults', 'loads', 'shopping', 'offers', 'contacts', 'bookings', 'satisfaction'] as const;

/** the listing a report gets when none was asked for: all customers of a small scenario, none of a fleet */
export const defaultListing = (customers: number): CustomerListing => (customers <= LIST_ALL_UP_TO ? 'all' : 'none');

/** Parses the flag's value: 'all', 'none' or a non-negative integer (0 is 'none'); null when it is none of those. */
export function parseListing(text: string): CustomerListing | null {
  if (text === 'all' || text === 'none') return text;
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? (n === 0 ? 'none' : n) : null;
}

export interface Listed {
  /** the customers whose entries are kept, in the scenario's order */
  listed: ReadonlySet<string>;
  /** every customer listed: the report stays as it is */
  all: boolean;
  /** what the report says in `customers` when some are left out, else null */
  note: string | null;
}

/** Which of the scenario's customers (in its order) a listing keeps, and the note saying what is left out. */
export function listed(customers: readonly string[], listing: CustomerListing): Listed {
  const n = listing === 'all' ? customers.length : listing === 'none' ? 0 : Math.min(listing, customers.length);
  const keep = new Set(customers.slice(0, n));
  if (n >= customers.length) return { listed: keep, all: true, note: null };
  const note =
    n === 0
      ? `omitted (${customers.length}): --report-customers all lists them`
      : `listed ${n} of ${customers.length} (the first in the scenario's order): --report-customers all lists them all`;
  return { listed: keep, all: false, note };
}

type Lists = { [K in (typeof CUSTOMER_LISTS)[number]]: ReadonlyArray<{ customerId: string }> };

/** The report with its lists cut to the listed customers (empty when none are); for the summary and the HTML report. */
export function keepListed<R extends Lists>(report: R, l: Listed): R {
  if (l.all) return report;
  const cut = { ...report };
  for (const k of CUSTOMER_LISTS) (cut as Lists)[k] = report[k].filter((e) => l.listed.has(e.customerId));
  return cut;
}

/**
 * The report as its JSON file has it: as it is when every customer is listed; else with `customers`
 * saying what is left out, in place of the lists (none listed) or before them (some listed, cut to those).
 */
export function listedJson<R extends Lists>(report: R, l: Listed): Record<string, unknown> {
  if (l.all) return report;
  const lists = new Set<string>(CUSTOMER_LISTS);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(keepListed(report, l))) {
    if (lists.has(k) && !('customers' in out)) out.customers = l.note;
    if (lists.has(k) && l.listed.size === 0) continue;
    out[k] = v;
  }
  return out;
}
