/**
 * The announce's `report`: optional (an announce without it, every one sent so far, stays valid and
 * means periodic), and when given, checked: the exception mode with a whole heartbeat and sample period.
 */
import { describe, expect, it } from 'vitest';
import { stamp } from '../../contracts/envelope.js';
import { deviceTopic } from '../../contracts/topics.js';
import { decode, ERR } from '../../contracts/validate.js';

const TS = Date.UTC(2026, 10, 30, 8);
const topic = deviceTopic('maria', 'fridge', 'announce');
const base = { kind: 'fridge', name: 'Fridge', measures: ['cabinetTempC'], reportEveryS: 900, source: 'simulator' };
const decoded = (body: object) => decode(topic, JSON.stringify(stamp(body, TS, 1)));

describe('announce: how a device reports', () => {
  it('takes an announce without report (periodic) and one reporting by exception', () => {
    const old = decoded(base);
    expect(old.ok && old.value.channel === 'announce' && old.value.payload.report).toBeUndefined();
    const rbe = decoded({ ...base, report: { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 } });
    expect(rbe.ok && rbe.value.payload).toMatchObject({ reportEveryS: 900, report: { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 } });
  });

  it('refuses an unknown mode, a heartbeat that is not a whole positive number of seconds and a missing sample period', () => {
    for (const report of [{ mode: 'sometimes', heartbeatS: 900, sampleEveryS: 60 }, { mode: 'exception', heartbeatS: 0, sampleEveryS: 60 }, { mode: 'exception', heartbeatS: 1.5, sampleEveryS: 60 }, { mode: 'exception', heartbeatS: 900 }]) {
      const r = decoded({ ...base, report });
      expect(r.ok, JSON.stringify(report)).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(ERR.SCHEMA);
        expect(r.error.reason).toContain('report');
      }
    }
  });
});
