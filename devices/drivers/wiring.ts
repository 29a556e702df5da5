/**
 * One board connection's wiring: the components a board file asks for, sampled at its rate,
 * conditioned (clipped, flagged, averaged) into the measured readings, and the relays commands
 * drive. Created per connection (an unplug ends it; the next connection wires anew).
 */
import { z } from 'zod';
import type { BoardHandle, RelayOutput } from './board.js';
import { quantityOf, READINGS, type BoardConfig, type ResolvedReading } from './board-file.js';
import { clipRaw, clipToRange, movingAverage, type Flag } from './condition.js';
import type { Measured } from './compose.js';
import { analogValue, tmp36Celsius, type Adc } from './sensors.js';

type Probe = () => { value: number | boolean | string; rawFlag?: Flag | null } | null;

export interface Wiring {
  /** measured readings; null while some sensor has not reported yet */
  measured(): Measured | null;
  /** readings that have not produced a sample yet */
  silent(): string[];
  /** current flags by reading (clipped values) */
  flags(): Record<string, Flag>;
  relay(output: string): RelayOutput | undefined;
  stop(): void;
}

export function wireBoard(handle: BoardHandle, config: BoardConfig, onFlag: (key: string, flag: Flag | null, value: number) => void): Wiring {
  const adc: Adc = { aref: config.aref, max: handle.analogResolution };
  const shape = READINGS[config.kind].shape as Record<string, z.ZodType>;
  const freqMs = Math.max(10, Math.floor(config.sampling.everyMs / 2));
  const probes = new Map<string, Probe>();
  const windows = new Map<string, ReturnType<typeof movingAverage>>();
  const latest = new Map<string, number | boolean | string>();
  const flags: Record<string, Flag> = {};

  const analogProbe = (r: ResolvedReading, raw: () => number | null): Probe => () => {
    const x = raw();
    if (x === null) return null;
    const c = clipRaw(x, adc.max);
    return { value: analogValue(r.spec, quantityOf(config.kind, r.key), c.value, adc), rawFlag: c.flag };
  };

  for (const r of config.readings) {
    const spec = r.spec;
    switch (spec.sensor) {
      case 'fixed':
        latest.set(r.key, spec.value);
        break;
      case 'tmp36': {
        const t = handle.thermometer({ controller: 'TMP36', pin: r.channel!, freqMs, toCelsius: (raw) => tmp36Celsius(raw, adc, spec.calibration.offsetC) });
        probes.set(r.key, analogProbe(r, () => t.raw()));
        break;
      }
      case 'ds18b20': {
        const t = handle.thermometer({ controller: 'DS18B20', pin: r.pin!, freqMs: config.sampling.everyMs, ...(spec.address ? { address: spec.address } : {}) });
        probes.set(r.key, () => {
          const c = t.celsius();
          return c === null ? null : { value: c + spec.calibration.offsetC };
        });
        break;
      }
      case 'voltage-divider':
      case 'current-sensor': {
        const s = handle.analogSensor(r.channel!, { freqMs });
        probes.set(r.key, analogProbe(r, () => s.raw()));
        break;
      }
      case 'reed-switch':
      case 'digital-in': {
        const d = handle.digitalInput(r.pin!, { pullup: spec.pullup, activeWhen: spec.activeWhen });
        probes.set(r.key, () => {
          const a = d.active();
          return a === null ? null : { value: a };
        });
        break;
      }
    }
  }

  const relays = new Map<string, RelayOutput>();
  for (const [name, o] of Object.entries(config.outputs)) relays.set(name, handle.relay(o.pin, { type: o.type }));

  const setFlag = (key: string, flag: Flag | null, value: number) => {
    if ((flags[key] ?? null) === flag) return;
    if (flag) flags[key] = flag;
    else delete flags[key];
    onFlag(key, flag, value);
  };

  function sample(): void {
    for (const [key, probe] of probes) {
      const p = probe();
      if (p === null) continue;
      if (typeof p.value !== 'number') {
        latest.set(key, p.value);
        continue;
      }
      const schema = shape[key];
      const min = schema instanceof z.ZodNumber ? (schema.minValue ?? -Infinity) : -Infinity;
      const max = schema instanceof z.ZodNumber ? (schema.maxValue ?? Infinity) : Infinity;
      const c = clipToRange(p.value, min, max);
      setFlag(key, p.rawFlag ?? c.flag, p.value);
      let w = windows.get(key);
      if (!w) windows.set(key, (w = movingAverage(config.sampling.window)));
      w.push(c.value);
      latest.set(key, w.value()!);
    }
  }
  const timer = setInterval(sample, config.sampling.everyMs);

  return {
    measured() {
      if (config.readings.some((r) => !latest.has(r.key))) return null;
      return Object.fromEntries(latest);
    },
    silent: () => config.readings.filter((r) => !latest.has(r.key)).map((r) => r.key),
    flags: () => ({ ...flags }),
    relay: (name) => relays.get(name),
    stop() {
      clearInterval(timer);
      for (const r of relays.values()) r.open();
    },
  };
}
