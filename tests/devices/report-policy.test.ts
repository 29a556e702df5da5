/**
 * Report by exception: a sample is published when a reading moved past its deadband since the last
 * published one, a flag or word changed, the heartbeat elapsed, or nothing was published yet.
 */
import { describe, expect, it } from 'vitest';
import { DEADBAND_READINGS, decide, DEFAULT_DEADBANDS, reportPolicy, type Published } from '../../devices/report-policy.js';

const T0 = Date.UTC(2020, 10, 2, 7);
const fridge = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 0 };
const sent = (readings: Record<string, unknown>, at = T0, extra?: Record<string, number>): Published => ({ at, readings, ...(extra ? { extra } : {}) });
const policy = reportPolicy('fridge', { heartbeatS: 900 });

describe('report policy', () => {
  it('always publishes the first sample', () => {
    expect(decide(policy, null, T0, fridge)).toBe('first');
  });

  it('publishes a number only once it moved past its deadband from the last published value, not the last sample', () => {
    const band = DEFAULT_DEADBANDS.fridge.cabinetTempC!;
    const last = sent(fridge);
    expect(decide(policy, last, T0 + 10_000, { ...fridge, cabinetTempC: 4 + band * 0.9 })).toBeNull();
    // creeping up in steps smaller than the deadband: the distance counts from what was published
    expect(decide(policy, last, T0 + 20_000, { ...fridge, cabinetTempC: 4 + band * 1.1 })).toBe('change');
    expect(decide(policy, last, T0 + 20_000, { ...fridge, cabinetTempC: 4 - band * 1.1 })).toBe('change');
  });

  it('publishes any change of a flag or a word, however small', () => {
    const last = sent(fridge);
    expect(decide(policy, last, T0 + 10_000, { ...fridge, doorOpen: true })).toBe('change');
    expect(decide(policy, last, T0 + 10_000, { ...fridge, compressorOn: true })).toBe('change');
    const washer = { phase: 'idle', powerW: 0, waterTempC: 15, waterLevelL: 0, drumRpm: 0, remainingS: 0 };
    expect(decide(reportPolicy('washer', { heartbeatS: 900 }), sent(washer), T0 + 10_000, { ...washer, phase: 'fill' })).toBe('change');
  });

  it('publishes everything once the heartbeat elapsed since the last message, and not before', () => {
    const last = sent(fridge);
    expect(decide(policy, last, T0 + 899_000, fridge)).toBeNull();
    expect(decide(policy, last, T0 + 900_000, fridge)).toBe('heartbeat');
  });

  it('takes overrides by reading name over the kind defaults (0: any change)', () => {
    const strict = reportPolicy('fridge', { heartbeatS: 900, deadband: { cabinetTempC: 0 } });
    expect(decide(strict, sent(fridge), T0 + 1000, { ...fridge, cabinetTempC: 4.01 })).toBe('change');
    const loose = reportPolicy('fridge', { heartbeatS: 900, deadband: { powerW: 100 } });
    expect(decide(loose, sent({ ...fridge, powerW: 64 }), T0 + 1000, { ...fridge, powerW: 140 })).toBeNull();
    expect(loose.deadband.cabinetTempC).toBe(DEFAULT_DEADBANDS.fridge.cabinetTempC);
  });

  it('is one frozen object for each kind and options, shared by every device that reports so', () => {
    const a = reportPolicy('washer', { heartbeatS: 900 });
    expect(reportPolicy('washer', { heartbeatS: 900 })).toBe(a);
    expect(reportPolicy('washer', { heartbeatS: 600 })).not.toBe(a);
    expect(reportPolicy('fridge', { heartbeatS: 900 })).not.toBe(a);
    const loose = reportPolicy('washer', { heartbeatS: 900, deadband: { powerW: 200 } });
    expect(loose).not.toBe(a);
    expect(loose.deadband.powerW).toBe(200);
    expect(a.deadband.powerW).toBe(DEFAULT_DEADBANDS.washer.powerW);
    expect(Object.isFrozen(a) && Object.isFrozen(a.deadband)).toBe(true);
  });

  it('publishes any change of an extra reading, and one that appears or disappears', () => {
    const last = sent(fridge, T0, { humidityPct: 40 });
    expect(decide(policy, last, T0 + 1000, fridge, { humidityPct: 40 })).toBeNull();
    expect(decide(policy, last, T0 + 1000, fridge, { humidityPct: 40.5 })).toBe('change');
    expect(decide(policy, last, T0 + 1000, fridge)).toBe('change');
    expect(decide(policy, sent(fridge), T0 + 1000, fridge, { humidityPct: 40 })).toBe('change');
  });

  it('has a positive default deadband above each noisy reading and refuses a heartbeat that is not positive', () => {
    expect(DEFAULT_DEADBANDS['car-battery'].voltageV).toBeGreaterThanOrEqual(0.05);
    expect(DEADBAND_READINGS).toContain('remainingS');
    expect(() => reportPolicy('fridge', { heartbeatS: 0 })).toThrow(RangeError);
  });
});
