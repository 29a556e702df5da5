/**
 * The car board's current sensing through real Firmata bytes: a known pin voltage gives known amps in
 * both directions (presets, a shunt and amplifier, a reversed sensor, a calibration), and the
 * simulated failing alternator (the rig drives the current pin from the car model) gives telemetry a
 * helpdesk's battery-discharge detector fires on: engine running, discharging, below 13.2 V.
 */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, VirtualClock, type Telemetry } from '../../../contracts/index.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { CURRENT_PRESETS, hallScale, shuntScale } from '../../../devices/drivers/current-sensors.js';
import { loadBoardFile, parseBoardFile } from '../../../devices/drivers/load-board-file.js';
import { analogRaw, analogValue, currentScale } from '../../../devices/drivers/sensors.js';
import { drillParams } from '../../../devices/simulator/drills.js';
import { BATTERY_DISCHARGE } from '../../../helpdesk/detect/battery-discharge.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { riggedBoards } from './rigged-board.js';

const T0 = Date.UTC(2020, 10, 2, 17);
const ADC = { aref: 5, max: 1023 };
const rawAt = (volts: number) => Math.round((volts / 5) * 1023);
/** one 10-bit step at 5 V */
const LSB_V = 5 / 1023;

function carConfig(currentA: string): BoardConfig {
  const text = `kind: car-battery
customerId: maria
deviceId: car-amps
sampling: { everyMs: 20, window: 3 }
publish: { everyS: 1 }
readings:
  voltageV: { sensor: voltage-divider, pin: A0, ratio: 5, calibration: { offsetV: 0 } }
  currentA: ${currentA}
`;
  const r = parseBoardFile(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe('current sensors: pin volts -> amps', () => {
  it('Hall sensors: zero at half the supply, the datasheet sensitivity, scaled with the supply', () => {
    expect(hallScale({ model: 'acs758-100b', supplyV: 5, reversed: false })).toEqual({ zeroV: 2.5, voltsPerAmp: 0.02 });
    expect(hallScale({ model: 'acs712-30a', supplyV: 5, reversed: false })).toEqual({ zeroV: 2.5, voltsPerAmp: 0.066 });
    expect(hallScale({ model: 'acs758-050u', supplyV: 5, reversed: false })).toEqual({ zeroV: 0.6, voltsPerAmp: 0.06 });
    // ratiometric: at 4.8 V both scale
    expect(hallScale({ model: 'acs758-100b', supplyV: 4.8, reversed: false }).zeroV).toBeCloseTo(2.4, 9);
    expect(hallScale({ model: 'acs758-100b', supplyV: 4.8, reversed: false }).voltsPerAmp).toBeCloseTo(0.0192, 9);
    // a measured calibration wins; reversed flips the sign
    expect(hallScale({ model: 'acs758-100b', supplyV: 5, reversed: true, calibration: { zeroV: 2.497 } })).toEqual({ zeroV: 2.497, voltsPerAmp: -0.02 });
    // a 100 A / 75 mV shunt behind a gain-20 amplifier with REF at 2.5 V: 15 mV/A
    expect(shuntScale({ shuntOhm: 0.00075, gain: 20, zeroV: 2.5, reversed: false }).voltsPerAmp).toBeCloseTo(0.015, 12);
    for (const p of Object.values(CURRENT_PRESETS)) {
      // full scale stays inside a 5 V pin in the directions the part measures
      const top = p.zeroOfSupply * 5 + p.rangeA * p.voltsPerAmp;
      expect(top).toBeLessThanOrEqual(5);
      if (p.bidirectional) expect(p.zeroOfSupply * 5 - p.rangeA * p.voltsPerAmp).toBeGreaterThanOrEqual(0);
    }
  });

  it('converts both ways through the ADC: known volts give known amps, in both directions', () => {
    const acs = carConfig('{ sensor: current-sensor, pin: A1, model: acs758-100b }').readings[1]!;
    // 2.9 V = +20 A (charging), 2.1 V = -20 A (discharging), to one ADC step (0.24 A for 20 mV/A)
    expect(analogValue(acs.spec, 'current', rawAt(2.9), ADC)).toBeCloseTo(20, 0);
    expect(Math.abs(analogValue(acs.spec, 'current', rawAt(2.9), ADC) - 20)).toBeLessThan(LSB_V / 0.02);
    expect(Math.abs(analogValue(acs.spec, 'current', rawAt(2.1), ADC) + 20)).toBeLessThan(LSB_V / 0.02);
    expect(analogRaw(acs.spec, 'current', -28, ADC)).toBe(rawAt(2.5 - 0.56));
    const shunt = carConfig('{ sensor: shunt, pin: A1, ratedA: 100, ratedMv: 75, gain: 20, referenceV: 2.5 }').readings[1]!;
    expect(currentScale(shunt.spec as Extract<typeof shunt.spec, { sensor: 'shunt' }>).voltsPerAmp).toBeCloseTo(0.015, 12);
    expect(Math.abs(analogValue(shunt.spec, 'current', rawAt(2.5 - 0.42), ADC) + 28)).toBeLessThan(LSB_V / 0.015);
    const rev = carConfig('{ sensor: current-sensor, pin: A1, model: acs758-100b, reversed: true }').readings[1]!;
    expect(analogValue(rev.spec, 'current', rawAt(2.9), ADC)).toBeCloseTo(-20, 0);
  });

  describe('through the software board and johnny-five', () => {
    const net = observedBroker();
    let clock = new VirtualClock(T0);
    const boards = riggedBoards(() => clock);
    const last = (deviceId: string) => {
      const m = net.seen.filter((x) => x.topic === deviceTopic('maria', deviceId, 'telemetry')).at(-1);
      if (!m) return null;
      const r = decode(m.topic, m.payload);
      if (!r.ok) throw new Error(r.error.reason);
      return (r.value.payload as Telemetry).readings as Record<string, number | boolean>;
    };

    it.each([
      ['an ACS758-100B', '{ sensor: current-sensor, pin: A1, model: acs758-100b }', 0.02, 2.5],
      ['an ACS712-30A', '{ sensor: current-sensor, pin: A1, model: acs712-30a }', 0.066, 2.5],
      ['a shunt and amplifier', '{ sensor: shunt, pin: A1, shuntOhm: 0.00075, gain: 20, referenceV: 2.5 }', 0.015, 2.5],
      ['a calibrated custom sensor', '{ sensor: current-sensor, pin: A1, calibration: { zeroV: 2.47, voltsPerAmp: 0.0125 } }', 0.0125, 2.47],
    ])('%s: +10 A and -10 A on the pin read as charging and discharging', async (_what, spec, vpa, zero) => {
      clock = new VirtualClock(T0);
      const c = { ...carConfig(spec), deviceId: 'car-amps' };
      const { board } = await boards.start(c, net.url, { driven: false });
      board.setAnalog(0, rawAt(12.6 / 5));
      for (const amps of [10, -10]) {
        board.setAnalog(1, Math.round(((zero + amps * vpa) / 5) * 1023));
        await boards.passUntil(() => Math.sign((last('car-amps')?.currentA as number) ?? 0) === Math.sign(amps), `${amps} A`);
        await boards.pass(3000);
        expect(Math.abs((last('car-amps')!.currentA as number) - amps)).toBeLessThanOrEqual(LSB_V / vpa);
      }
    });

    it('the simulated failing alternator: engine running, discharging below 13.2 V for longer than the detector waits', async () => {
      clock = new VirtualClock(T0);
      const c = { ...loadBoardFile('boards/car-battery.yaml'), sampling: { everyMs: 20, window: 3 }, publish: { everyS: 5 } };
      const params = drillParams('car-battery', 'failing-alternator', T0)!;
      await boards.start(c, net.url, { params });
      // the drive starts at +10 s, the alternator fails at +2 min; then ten minutes pass
      await boards.pass(12 * 60_000, 5000, 25);
      const seen = net.seen
        .filter((m) => m.topic === deviceTopic('maria', 'board-car', 'telemetry'))
        .map((m) => {
          const r = decode(m.topic, m.payload);
          if (!r.ok) throw new Error(r.error.reason);
          return r.value.payload as Telemetry & { readings: { voltageV: number; currentA: number; engineRunning: boolean } };
        });
      const healthy = seen.filter((t) => t.ts > T0 + 60_000 && t.ts < T0 + 110_000);
      expect(healthy.length).toBeGreaterThan(3);
      expect(healthy.every((t) => t.readings.engineRunning && t.readings.voltageV >= 13.5 && t.readings.currentA > 0)).toBe(true);
      const failing = seen.filter((t) => t.ts > T0 + 4 * 60_000);
      expect(failing.length).toBeGreaterThan(50);
      for (const t of failing) {
        expect(t.readings.engineRunning).toBe(true);
        expect(t.readings.voltageV).toBeLessThan(13.2);
        // the model: 12 A from the alternator against 40 A of load
        expect(t.readings.currentA).toBeLessThan(-25);
        expect(t.readings.currentA).toBeGreaterThan(-31);
      }
      // what the battery-discharge detector needs: running and below its threshold for its whole window
      const span = failing.at(-1)!.ts - failing[0]!.ts;
      expect(span).toBeGreaterThan(BATTERY_DISCHARGE.fireAfterS * 1000);
      expect(failing.every((t) => t.readings.currentA < BATTERY_DISCHARGE.fireBelowA)).toBe(true);
    });
  });
});
