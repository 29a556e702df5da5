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

  it('reports YAML syntax errors with their line', () => {
    const [p] = problems('kind: fridge\nreadings: {\n  a: [\n');
    expect(p!.message).toMatch(/not valid YAML/);
    expect(p!.line).toBeGreaterThan(0);
  });

  it('throws a coded error naming the file when loading', () => {
    expect(() => loadBoardFile('boards/does-not-exist.yaml')).toThrow(/EVN_ERR_BOARD_FILE: cannot read board file/);
  });
});
