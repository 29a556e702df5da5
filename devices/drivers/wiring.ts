/**
 * One board connection's wiring: the components a board file asks for, sampled at its rate,
 * conditioned (clipped, flagged, averaged) into the measured readings and the extra readings, the
 * relays commands drive, and a washer's arm button and delay knob. Created per connection (an unplug
 * ends it; the next connection wires anew).
 */
import { z } from 'zod';
import type { BoardHandle, RelayOutput } from './board.js';
import { READINGS, type BoardConfig, type ResolvedReading } from './board-file.js';
import { clipRaw, clipToRange, movingAverage, type Flag } from './condition.js';
import type { Measured } from './compose.js';
import { analogValue, tmp36Celsius, type Adc } from './sensors.js';

type Probe = () => { value: number | boolean | string; rawFlag?: Flag | null } | null;

export interface Wiring {
  /** measured readings of the kind; null while some sensor has not reported yet */
  measured(): Measured | null;
  /** extra readings by name (switches as 1 and 0); null while some extra sensor has not reported yet */
  extra(): Record<string, number> | null;
  /** readings that have not produced a sample yet */
  silent(): string[];
  /** current flags by reading (clipped values) */
  flags(): Record<string, Flag>;
  relay(output: string): RelayOutput | undefined;
  /** a washer's delay knob: 0..1 of its travel, null without one (or before its first sample) */
  knob(): number | null;
  /** called when the user presses the washer's arm button */
  onArm(listener: () => void): void;
  stop(): void;
}

const EXTRA_RANGE = { min: -1e9, max: 1e9 };

export function wireBoard(handle: BoardHandle, config: BoardConfig, onFlag: (key: string, flag: Flag | null, value: number) => void): Wiring {
  const adc: Adc = { aref: config.aref, max: handle.analogResolution };
  const shape = READINGS[config.kind].shape as Record<string, z.ZodType>;
  const freqMs = Math.max(10, Math.floor(config.sampling.everyMs / 2));
  const probes = new Map<string, { probe: Probe; min: number; max: number }>();
  const windows = new Map<string, ReturnType<typeof movingAverage>>();
  const latest = new Map<string, number | boolean | string>();
  const flags: Record<string, Flag> = {};
  const all = [...config.readings, ...config.extra];

  const analogProbe = (r: ResolvedReading, raw: () => number | null): Probe => () => {
    const x = raw();
    if (x === null) return null;
    const c = clipRaw(x, adc.max);
    return { value: analogValue(r.spec, r.quantity, c.value, adc), rawFlag: c.flag };
  };
  const rangeOf = (key: string) => {
    const schema = shape[key];
    if (!(schema instanceof z.ZodNumber)) return EXTRA_RANGE;
    return { min: schema.minValue ?? -Infinity, max: schema.maxValue ?? Infinity };
  };

  for (const r of all) {
    const spec = r.spec;
    const add = (probe: Probe) => probes.set(r.key, { probe, ...rangeOf(r.key) });
    switch (spec.sensor) {
      case 'fixed':
        latest.set(r.key, spec.value);
        break;
      case 'tmp36': {
        const t = handle.thermometer({ controller: 'TMP36', pin: r.channel!, freqMs, toCelsius: (raw) => tmp36Celsius(raw, adc, spec.calibration.offsetC) });
        add(analogProbe(r, () => t.raw()));
        break;
      }
      case 'ds18b20': {
        const t = handle.thermometer({ controller: 'DS18B20', pin: r.pin!, freqMs: config.sampling.everyMs, ...(spec.address ? { address: spec.address } : {}) });
        add(() => {
          const c = t.celsius();
          return c === null ? null : { value: c + spec.calibration.offsetC };
        });
        break;
      }
      case 'voltage-divider':
      case 'current-sensor':
      case 'shunt':
      case 'analog': {
        const s = handle.analogSensor(r.channel!, { freqMs });
        add(analogProbe(r, () => s.raw()));
        break;
      }
      case 'reed-switch':
      case 'digital-in': {
        const d = handle.digitalInput(r.pin!, { pullup: spec.pullup, activeWhen: spec.activeWhen });
        add(() => {
          const a = d.active();
          return a === null ? null : { value: a };
        });
        break;
      }
    }
  }

  const relays = new Map<string, RelayOutput>();
  for (const [name, o] of Object.entries(config.outputs)) relays.set(name, handle.relay(o.pin, { type: o.type }));

  const armListeners: Array<() => void> = [];
  const flex = config.flexOffer;
  if (flex) {
    const arm = handle.digitalInput(flex.arm.pin, { pullup: flex.arm.pullup, activeWhen: flex.arm.activeWhen });
    let down: boolean | null = null;
    arm.onChange((active) => {
      // the first report is the button's resting level, not a press
      const pressed = down === false && active;
      down = active;
      if (pressed) for (const l of armListeners) l();
    });
  }
  const knob = flex?.delay ? handle.analogSensor(flex.delay.channel, { freqMs }) : null;

  const setFlag = (key: string, flag: Flag | null, value: number) => {
    if ((flags[key] ?? null) === flag) return;
    if (flag) flags[key] = flag;
    else delete flags[key];
    onFlag(key, flag, value);
  };

  function sample(): void {
    for (const [key, { probe, min, max }] of probes) {
      const p = probe();
      if (p === null) continue;
      if (typeof p.value !== 'number') {
        latest.set(key, p.value);
        continue;
      }
      const c = clipToRange(p.value, min, max);
      setFlag(key, p.rawFlag ?? c.flag, p.value);
      let w = windows.get(key);
      if (!w) windows.set(key, (w = movingAverage(config.sampling.window)));
      w.push(c.value);
      latest.set(key, w.value()!);
    }
  }
  const timer = setInterval(sample, config.sampling.everyMs);
  const pick = (list: ResolvedReading[]) => (list.some((r) => !latest.has(r.key)) ? null : list.map((r) => [r.key, latest.get(r.key)!] as const));

  return {
    measured() {
      const got = pick(config.readings);
      return got && Object.fromEntries(got);
    },
    extra() {
      const got = pick(config.extra);
      return got && Object.fromEntries(got.map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1000) / 1000 : v === true ? 1 : 0]));
    },
    silent: () => all.filter((r) => !latest.has(r.key)).map((r) => r.key),
    flags: () => ({ ...flags }),
    relay: (name) => relays.get(name),
    knob() {
      const raw = knob?.raw() ?? null;
      return raw === null ? null : clipRaw(raw, adc.max).value / adc.max;
    },
    onArm: (l) => void armListeners.push(l),
    stop() {
      clearInterval(timer);
      for (const r of relays.values()) r.open();
    },
  };
}
