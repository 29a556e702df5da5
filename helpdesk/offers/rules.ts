/**
 * Next-best offers as transparent rules: each rule is data (what it offers, for which purpose and
 * partner, the condition over a customer's usage profile, the text and why), so a rule can be listed,
 * read by staff and the customer, and explained value by value. No model, no black box: a condition is
 * a comparison of one named metric (profile.ts) with a number, combined with `all` / `any`.
 */
import type { DeviceKind } from '../../contracts/index.js';

/** the measures of a customer's usage a condition may name (profile.ts computes them; METRICS says what each is) */
export const METRIC_NAMES = [
  'month',
  'car.km7d',
  'car.trips7d',
  'car.drivingDays7d',
  'car.commuteDays7d',
  'car.restVoltageV',
  'car.restVoltageDropV',
  'car.crankMinDropV',
  'car.batteryTickets30d',
  'washer.cycles365d',
  'washer.heaterTickets30d',
] as const;
export type Metric = (typeof METRIC_NAMES)[number];

/** what a metric is, in words, and where its data comes from (both go into an offer's reason) */
export const METRICS: Readonly<Record<Metric, { label: string; unit: string; source: string }>> = {
  month: { label: 'month (local)', unit: '', source: 'the calendar' },
  'car.km7d': { label: 'km driven in the 7 days before today', unit: 'km', source: "the car's telemetry (speed over time)" },
  'car.trips7d': { label: 'trips in the 7 days before today', unit: '', source: "the car's telemetry (engine starts)" },
  'car.drivingDays7d': { label: 'days with a trip in the 7 days before today', unit: '', source: "the car's telemetry (engine starts)" },
  'car.commuteDays7d': { label: 'days with 2 or more trips (there and back) in the 7 days before today', unit: '', source: "the car's telemetry (engine starts)" },
  'car.restVoltageV': { label: "the battery's latest resting voltage before a crank", unit: 'V', source: "the car's crank events" },
  'car.restVoltageDropV': { label: "how far the battery's resting voltage fell over the last 30 days", unit: 'V', source: "the car's crank events" },
  'car.crankMinDropV': { label: 'how far the lowest voltage while cranking fell over the last 30 days', unit: 'V', source: "the car's crank events" },
  'car.batteryTickets30d': { label: 'battery tickets in the last 30 days', unit: '', source: "the car's tickets" },
  'washer.cycles365d': { label: 'wash cycles in the last 365 days', unit: '', source: "the washing machine's cycle events" },
  'washer.heaterTickets30d': { label: 'heater faults in the last 30 days', unit: '', source: "the washing machine's tickets" },
};

export type Op = '>' | '>=' | '<' | '<=' | '=';
export type Condition = { metric: Metric; op: Op; value: number } | { all: Condition[] } | { any: Condition[] };

export interface OfferRule {
  /** a slug: the offer's `rule` */
  id: string;
  /** the customer's consent this needs: the company's own offers, or a partner's */
  purpose: 'offers' | 'partner-offers';
  /** what is offered, in a few words */
  offer: string;
  /** the device kind whose usage it reads: a customer without one is never evaluated */
  device: DeviceKind;
  /** the company behind it: a fixed id, 'nearest-workshop' (the nearest workshop serving `device` not on the blacklist), or none (evernet itself) */
  partner?: string;
  when: Condition;
  /** the text the customer gets: {name} (the customer), {partner} (its name), {<metric>} (its value) */
  text: string;
  /** why, in one sentence for the customer and staff ({<metric>} as in text); the values and sources are appended */
  reason: string;
  /** days after an offer of this rule before it is offered again (whatever the answer); default 30 */
  cooldownDays?: number;
}

/** The rules evernet runs by default, in order of priority: the first that holds is the offer. */
export const DEFAULT_RULES: readonly OfferRule[] = [
  {
    id: 'battery-check-before-winter',
    purpose: 'partner-offers',
    offer: 'Battery check before winter',
    device: 'car-battery',
    partner: 'nearest-workshop',
    when: {
      all: [
        { metric: 'month', op: '>=', value: 9 },
        { metric: 'month', op: '<=', value: 11 },
        { any: [{ metric: 'car.restVoltageDropV', op: '>=', value: 0.15 }, { metric: 'car.crankMinDropV', op: '>=', value: 0.4 }, { metric: 'car.batteryTickets30d', op: '>=', value: 1 }] },
      ],
    },
    text: "Hello {name}, your car battery's resting voltage fell by {car.restVoltageDropV} V in the last weeks. Before winter, {partner} offers a battery check. Interested? Answer in the app.",
    reason: 'the car battery weakens as winter comes',
    cooldownDays: 60,
  },
  {
    id: 'mobility-flatrate-upgrade',
    purpose: 'offers',
    offer: 'Mobility flatrate upgrade',
    device: 'car-battery',
    when: { all: [{ metric: 'car.km7d', op: '>=', value: 150 }, { metric: 'car.commuteDays7d', op: '>=', value: 4 }] },
    text: 'Good morning {name}, you drove {car.km7d} km on {car.drivingDays7d} of the last 7 days. An upgrade of your mobility flatrate covers that for a fixed price a month. Interested? Answer in the app.',
    reason: 'the customer drives a lot and commutes daily',
    cooldownDays: 30,
  },
  {
    id: 'washer-service',
    purpose: 'partner-offers',
    offer: 'Washing machine service',
    device: 'washer',
    partner: 'nearest-workshop',
    when: { any: [{ metric: 'washer.cycles365d', op: '>=', value: 250 }, { metric: 'washer.heaterTickets30d', op: '>=', value: 1 }] },
    text: 'Hello {name}, your washing machine ran {washer.cycles365d} cycles this year. {partner} offers a service visit (heater, pump, seals). Interested? Answer in the app.',
    reason: 'a washing machine wears with use, and a heater fault is a sign',
    cooldownDays: 180,
  },
];

const holds = (v: number, op: Op, x: number): boolean => (op === '>' ? v > x : op === '>=' ? v >= x : op === '<' ? v < x : op === '<=' ? v <= x : v === x);

/** one comparison that decided, with the value it read */
export interface Because {
  metric: Metric;
  op: Op;
  value: number;
  actual: number;
}

/**
 * Whether the condition holds on the metrics, and the comparisons that make it hold (for `any`, the first
 * that held). A metric the profile lacks (no data) makes its comparison false.
 */
export function evaluate(c: Condition, metrics: Partial<Record<Metric, number>>): { holds: boolean; because: Because[] } {
  if ('all' in c) {
    const because: Because[] = [];
    for (const x of c.all) {
      const r = evaluate(x, metrics);
      if (!r.holds) return { holds: false, because: [] };
      because.push(...r.because);
    }
    return { holds: true, because };
  }
  if ('any' in c) {
    for (const x of c.any) {
      const r = evaluate(x, metrics);
      if (r.holds) return r;
    }
    return { holds: false, because: [] };
  }
  const actual = metrics[c.metric];
  if (actual === undefined) return { holds: false, because: [] };
  return holds(actual, c.op, c.value) ? { holds: true, because: [{ metric: c.metric, op: c.op, value: c.value, actual }] } : { holds: false, because: [] };
}

/** '212 km driven in the 7 days before today >= 150' */
export function explain(b: Because): string {
  const m = METRICS[b.metric];
  const unit = m.unit ? ` ${m.unit}` : '';
  return `${m.label}: ${fmt(b.actual)}${unit} ${b.op} ${fmt(b.value)}${unit}`;
}

/** a metric's value as the texts show it: whole numbers as they are, others to 2 decimals */
export const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** fills {name}, {partner} and {<metric>} */
export function fill(template: string, vars: Record<string, string>, metrics: Partial<Record<Metric, number>>): string {
  return template.replace(/\{([a-zA-Z0-9.]+)\}/g, (all, key: string) => {
    if (key in vars) return vars[key]!;
    const v = metrics[key as Metric];
    return v === undefined ? all : fmt(v);
  });
}

/** the metrics a condition names (for a rule's listing) */
export function metricsOf(c: Condition): Metric[] {
  if ('all' in c) return [...new Set(c.all.flatMap(metricsOf))];
  if ('any' in c) return [...new Set(c.any.flatMap(metricsOf))];
  return [c.metric];
}
