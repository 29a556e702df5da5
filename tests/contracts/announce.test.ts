import { describe, expect, it } from 'vitest';
import { deviceTopic, HELPDESK_FILTERS, topicMatches } from '../../contracts/topics.js';
import { stamp } from '../../contracts/envelope.js';
import { ERR, decode } from '../../contracts/validate.js';

const TS = Date.UTC(2026, 10, 30, 8);
const announceTopic = deviceTopic('maria', 'board-car', 'announce');
const telemetryTopic = deviceTopic('maria', 'board-car', 'telemetry');
const readings = { voltageV: 12.6, currentA: -2, loadA: 0, temperatureC: 15, engineRunning: false, speedKmh: 0, batterySaver: false };

describe('announce: what a device says of itself', () => {
  it('is a device channel the helpdesk subscribes to', () => {
    expect(HELPDESK_FILTERS.some((f) => topicMatches(f, announceTopic))).toBe(true);
  });

  it('decodes with its measured and extra readings, extra defaulting to none', () => {
    const r = decode(announceTopic, JSON.stringify(stamp({ kind: 'car-battery', name: 'Car (Arduino)', measures: ['voltageV', 'currentA'], reportEveryS: 5, source: 'board' }, TS, 0)));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.channel === 'announce') expect(r.value.payload.extra).toEqual([]);
  });

  it('refuses an unknown kind, a bad reading name and a zero reporting interval, naming the field', () => {
    const bad = [
      [{ kind: 'toaster', name: 'x', measures: [], reportEveryS: 5, source: 'board' }, 'kind'],
      [{ kind: 'fridge', name: 'x', measures: ['door open'], reportEveryS: 5, source: 'board' }, 'measures'],
      [{ kind: 'fridge', name: 'x', measures: [], reportEveryS: 0, source: 'board' }, 'reportEveryS'],
    ] as const;
    for (const [body, field] of bad) {
      const r = decode(announceTopic, JSON.stringify(stamp(body, TS, 0)));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(ERR.SCHEMA);
        expect(r.error.reason).toContain(field);
      }
    }
  });
});

describe('telemetry with extra readings', () => {
  it('accepts numbers by reading name next to the kind readings', () => {
    const r = decode(telemetryTopic, JSON.stringify(stamp({ kind: 'car-battery', readings, extra: { cabinHumidityPct: 41.5 } }, TS, 1)));
    expect(r.ok).toBe(true);
  });

  it('refuses more than 16, a non-number and a bad name', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`pin${i}`, i]));
    for (const extra of [many, { a0: 'high' }, { '0pin': 1 }]) {
      const r = decode(telemetryTopic, JSON.stringify(stamp({ kind: 'car-battery', readings, extra }, TS, 1)));
      expect(r.ok, JSON.stringify(extra).slice(0, 40)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(ERR.SCHEMA);
    }
  });
});
