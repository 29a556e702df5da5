/**
 * Board files: the shipped examples validate; bad files are rejected with the place (line:column,
 * path) and what was expected.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoardFile, parseBoardFile, formatProblems } from '../../../devices/drivers/load-board-file.js';

const FRIDGE = `kind: fridge
customerId: maria
deviceId: f1
readings:
  cabinetTempC: { sensor: tmp36, pin: A0 }
  doorOpen: { sensor: reed-switch, pin: 4 }
`;

function problems(text: string) {
  const r = parseBoardFile(text);
  if (r.ok) throw new Error('expected the board file to be rejected');
  return r.problems;
}

describe('board files', () => {
  it('accepts every example in boards/', () => {
    const files = readdirSync('boards').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(() => loadBoardFile(`boards/${f}`), f).not.toThrow();
  });

  it('resolves pins to Firmata numbers and fills defaults', () => {
    const r = parseBoardFile(FRIDGE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.layout.id).toBe('uno');
    expect(r.config.sampling).toEqual({ everyMs: 100, window: 10 });
    expect(r.config.readings).toEqual([
      expect.objectContaining({ key: 'cabinetTempC', channel: 0 }),
      expect.objectContaining({ key: 'doorOpen', pin: 4, spec: expect.objectContaining({ pullup: true, activeWhen: 'high' }) }),
    ]);
  });

  it('rejects an unknown pin with its line, path and the pins an Uno has', () => {
    const [p, ...rest] = problems(FRIDGE.replace('pin: 4', 'pin: D22'));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ line: 6, path: 'readings.doorOpen.pin' });
    expect(p!.message).toMatch(/unknown pin 'D22': expected a digital pin: D2–D13 or A0–A5 on an Arduino Uno/);
  });

  it('rejects an analog sensor on a digital pin and a switch on the serial pins', () => {
    const ps = problems(FRIDGE.replace('pin: A0', 'pin: 3').replace('pin: 4', 'pin: 1'));
    expect(ps.map((p) => p.path)).toEqual(['readings.cabinetTempC.pin', 'readings.doorOpen.pin']);
    expect(ps[0]!.message).toMatch(/expected an analog input: A0–A5/);
    expect(ps[1]!.message).toMatch(/D1 carries the serial line Firmata runs on/);
  });

  it('rejects a pin used twice, naming the first user', () => {
    const text = FRIDGE + '  compressorOn: { sensor: digital-in, pin: D4 }\n';
    const [p] = problems(text);
    expect(p).toMatchObject({ line: 7, path: 'readings.compressorOn.pin' });
    expect(p!.message).toMatch(/pin D4 is used twice \(already by readings\.doorOpen\)/);
  });

  it('rejects a relay output on a pin a sensor uses', () => {
    const text = `kind: washer\ncustomerId: maria\ndeviceId: w1\nreadings:\n  powerW: { sensor: current-sensor, pin: A1, mainsV: 230, calibration: { zeroV: 0, voltsPerAmp: 0.05 } }\noutputs:\n  start-button: { pin: A1 }\n`;
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'outputs.start-button.pin', line: 7 });
    expect(p!.message).toMatch(/pin A1 is used twice \(already by readings\.powerW\)/);
  });

  it('rejects a voltage divider without calibration, saying what to measure', () => {
    const text = `kind: car-battery\ncustomerId: maria\ndeviceId: car\nreadings:\n  voltageV:\n    sensor: voltage-divider\n    pin: A0\n    ratio: 5\n`;
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'readings.voltageV.calibration', line: 6 });
    expect(p!.message).toMatch(/missing calibration: \{ offsetV: <volts>, gain: 1 \}.*multimeter/);
  });

  it('rejects a divider that would put more than aref on the pin (the board would be damaged)', () => {
    const text = `kind: car-battery\ncustomerId: maria\ndeviceId: car\nreadings:\n  voltageV: { sensor: voltage-divider, pin: A0, ratio: 2, calibration: { offsetV: 0 } }\n`;
    const [p] = problems(text);
    expect(p!.path).toBe('readings.voltageV.ratio');
    expect(p!.message).toMatch(/lets 8\.00 V reach the pin at 16 V in: expected a ratio of at least 3\.20/);
  });

  it('rejects unknown readings, sensors that cannot give a reading, misspelt keys and missing required readings', () => {
    const text = `kind: fridge\ncustomerId: maria\ndeviceId: f1\nreadings:\n  cabinetTemp: { sensor: tmp36, pin: A0 }\n  doorOpen: { sensor: tmp36, pin: A1 }\n  compressorOn: { sensor: digital-in, pin: 5, pulup: true }\n`;
    const msgs = formatProblems('x.yaml', problems(text));
    expect(msgs).toMatch(/x\.yaml:5:\d+ readings\.cabinetTemp: unknown reading 'cabinetTemp' for a fridge: expected one of cabinetTempC, ambientTempC/);
    expect(msgs).toMatch(/readings\.doorOpen\.sensor: a tmp36 cannot give doorOpen: expected one of reed-switch, digital-in, fixed/);
    expect(msgs).toMatch(/readings\.compressorOn: unknown key pulup/);
    expect(msgs).toMatch(/readings\.cabinetTempC: missing reading cabinetTempC: a fridge board must measure it \(expected one of tmp36, ds18b20\)/);
  });

  it('rejects a current sensor it cannot scale, naming the models it knows', () => {
    const car = (current: string) => `kind: car-battery\ncustomerId: maria\ndeviceId: car\nreadings:\n  voltageV: { sensor: voltage-divider, pin: A0, ratio: 5, calibration: { offsetV: 0 } }\n  currentA: ${current}\n`;
    const [bare] = problems(car('{ sensor: current-sensor, pin: A1 }'));
    expect(bare).toMatchObject({ line: 6, path: 'readings.currentA.calibration' });
    expect(bare!.message).toMatch(/^missing calibration: \{ zeroV: <pin volts at 0 A>, voltsPerAmp: <sensitivity> \}.*or name the part with model: \(acs712-05b, .*acs758-100b/);
    const [half] = problems(car('{ sensor: current-sensor, pin: A1, calibration: { zeroV: 2.5 } }'));
    expect(half!.message).toMatch(/^incomplete calibration/);
    const [model] = problems(car('{ sensor: current-sensor, pin: A1, model: acs999 }'));
    expect(model).toMatchObject({ path: 'readings.currentA.model', line: 6 });
    expect(model!.message).toMatch(/expected model: one of acs712-05b, acs712-20a/);
    // the shunt's checks come one after the other: its fields first, then what they must add up to
    expect(problems(car('{ sensor: shunt, pin: A1, referenceV: 2.5 }'))).toEqual([expect.objectContaining({ path: 'readings.currentA.gain', message: expect.stringMatching(/missing gain: the amplifier gain/) })]);
    expect(problems(car('{ sensor: shunt, pin: A1, gain: 20, referenceV: 2.5, ratedA: 100 }'))).toEqual([
      expect.objectContaining({ path: 'readings.currentA.shuntOhm', line: 6, message: expect.stringMatching(/a shunt needs shuntOhm, or both ratedA and ratedMv/) }),
    ]);
    const [onVoltage] = problems(car('{ sensor: reed-switch, pin: 4 }'));
    expect(onVoltage!.message).toMatch(/a reed-switch cannot give currentA: expected one of current-sensor, shunt, fixed/);
  });

  it('rejects bad extra readings: a name of the kind, a bad name, a fixed value, a pin in use', () => {
    const text = `${FRIDGE}extra:\n  doorOpen: { sensor: reed-switch, pin: 5 }\n  2ndTemp: { sensor: tmp36, pin: A1 }\n  humidityPct: { sensor: fixed, value: 40 }\n  lightV: { sensor: analog, pin: A0, values: [0, 5] }\n`;
    const ps = problems(text);
    expect(ps.map((p) => [p.path, p.line])).toEqual([
      ['extra.doorOpen', 8],
      ['extra.2ndTemp', 9],
      ['extra.humidityPct.sensor', 10],
      ['extra.lightV.pin', 11],
    ]);
    expect(ps[0]!.message).toMatch(/is a fridge reading: map it under readings/);
    expect(ps[1]!.message).toMatch(/a reading name: a letter/);
    expect(ps[2]!.message).toMatch(/must be measured/);
    expect(ps[3]!.message).toMatch(/pin A0 is used twice \(already by readings\.cabinetTempC\)/);
    const many = Array.from({ length: 17 }, (_, i) => `  x${i}: { sensor: digital-in, pin: ${i < 8 ? i + 5 : `A${i - 8}`} }`).join('\n');
    expect(problems(`${FRIDGE.replace('pin: A0', 'pin: 2').replace('sensor: tmp36', 'sensor: ds18b20')}extra:\n${many}\n`).some((p) => p.path === 'extra' && /17 extra readings: expected at most 16/.test(p.message))).toBe(true);
  });

  it("rejects a washer's flex offer that cannot work, each problem at its place", () => {
    const washer = (flex: string, commands = 'commands:\n  start: { output: start-button, pulseMs: 500 }\n') =>
      `kind: washer\ncustomerId: maria\ndeviceId: w1\nreadings:\n  powerW: { sensor: current-sensor, pin: A1, mainsV: 230, calibration: { zeroV: 0, voltsPerAmp: 0.05 } }\noutputs:\n  start-button: { pin: 7 }\n${commands}flexOffer:\n${flex}`;
    const ok = parseBoardFile(washer('  programme: quick-30\n  delayInput: { pin: A2 }\n  armInput: { pin: 8 }\n'));
    expect(ok.ok && ok.config.flexOffer).toMatchObject({ programme: 'quick-30', durationS: 1800, doneByMinute: null, delay: { channel: 2, maxHours: 24, stepHours: 1 }, arm: { pin: 8, pullup: true, activeWhen: 'low' } });
    const cases: Array<[string, string, RegExp, string?]> = [
      ['  programme: cotton-40\n  doneBy: "07:00"\n', 'flexOffer.armInput', /missing armInput: the button that arms the offer/],
      ['  programme: eco-60\n  doneBy: "07:00"\n  armInput: { pin: 8 }\n', 'flexOffer.programme', /unknown programme 'eco-60': expected one of cotton-40, quick-30, or give the machine's own slots/],
      ['  programme: cotton-40\n  armInput: { pin: 8 }\n', 'flexOffer.doneBy', /expected one of doneBy .* or delayInput/],
      ['  programme: cotton-40\n  doneBy: "07:00"\n  delayInput: { pin: A2 }\n  armInput: { pin: 8 }\n', 'flexOffer.delayInput', /not both/],
      ['  programme: cotton-40\n  doneBy: "7 am"\n  armInput: { pin: 8 }\n', 'flexOffer.doneBy', /doneBy '7 am': expected a local time of day such as "07:00"/],
      ['  programme: cotton-40\n  doneBy: "07:00"\n  timeZone: Mars/Olympus\n  armInput: { pin: 8 }\n', 'flexOffer.timeZone', /an IANA time zone such as 'Europe\/Berlin', or a fixed offset such as '\+01:00'; 'Mars\/Olympus' is neither/],
      ['  programme: cotton-40\n  doneBy: "07:00"\n  armInput: { pin: 7 }\n', 'flexOffer.armInput.pin', /pin D7 is used twice \(already by outputs\.start-button\)/],
      ['  programme: cotton-40\n  doneBy: "07:00"\n  armInput: { pin: 8 }\n', 'commands.start', /missing commands\.start: a washer with a flex offer presses start at the planned time/, ''],
      ['  programme: own\n  slots: [{ durationS: 600, powerW: -3 }]\n  doneBy: "07:00"\n  armInput: { pin: 8 }\n', 'flexOffer.slots.0.powerW', /expected number to be >=0|Too small/],
    ];
    for (const [flex, path, message, commands] of cases) {
      const ps = problems(washer(flex, commands));
      const p = ps.find((x) => x.path === path);
      expect(p, `${path} in ${JSON.stringify(ps)}`).toBeDefined();
      expect(p!.message).toMatch(message);
      expect(p!.line).toBeGreaterThan(0);
    }
    const onFridge = problems(`${FRIDGE}flexOffer:\n  programme: cotton-40\n  doneBy: "07:00"\n  armInput: { pin: 8 }\n`);
    expect(onFridge).toEqual([expect.objectContaining({ path: 'flexOffer', line: 8, message: expect.stringMatching(/a fridge board makes no flex offer/) })]);
  });

  it('reports YAML syntax errors with their line', () => {
    const [p] = problems('kind: fridge\nreadings: {\n  a: [\n');
    expect(p!.message).toMatch(/not valid YAML/);
    expect(p!.line).toBeGreaterThan(0);
  });

  it('throws a coded error naming the file when loading', () => {
    expect(() => loadBoardFile('boards/does-not-exist.yaml')).toThrow(/EVN_ERR_BOARD_FILE: cannot read board file/);
  });
});
