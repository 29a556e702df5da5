/**
 * Board-backed devices end to end without hardware: the software Firmata board (pins driven by the
 * device models) <- real Firmata bytes over an in-memory line -> johnny-five -> the board driver ->
 * the device agent -> a real aedes broker on port 0 -> a real mqtt.js observer, which checks every
 * message with the contract's decode (what the helpdesk does on ingest).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../log/logger.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { decode, deviceTopic, type Clock, type Telemetry } from '../../../contracts/index.js';
import { createBoardDevice, type BoardDevice } from '../../../devices/drivers/board-device.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { plugIn } from '../../../devices/simulator/plug-in.js';
import { createPhysicsRig, type PhysicsRigOptions } from '../../../devices/simulator/physics.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { until } from '../../helpers/until.js';

const log = silentLogger();
const clock: Clock = { now: () => Date.now() };
/** where the physics rig's model time starts: 07:00 UTC on 2 November 2020 */
const MORNING = Date.UTC(2020, 10, 2, 7);

/** A shipped board file, sped up for a test: sample every 20 ms, publish 5 times a second. */
function fastConfig(file: string): BoardConfig {
  const c = loadBoardFile(file);
  return { ...c, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 0.2 } };
}

describe('board-backed devices over the software Firmata board', () => {
  const net = observedBroker();
  let device: BoardDevice | null = null;
  let board: SoftwareBoard | null = null;

  afterEach(async () => {
    await device?.stop();
    device = null;
    board?.unplug();
    board = null;
  });

  function start(config: BoardConfig, extra: { reconnectEveryMs?: number; oneWire?: boolean } = {}) {
    board = new SoftwareBoard({ oneWire: extra.oneWire ?? true });
    const b = board;
    device = createBoardDevice({ config, connect: async () => plugIn(b), port: 'software board', brokerUrl: net.url, clock, log, tickMs: 50, reconnectEveryMs: extra.reconnectEveryMs });
    return device;
  }

  /** `start`, with the physics rig driving the board's pins from the model, already `seconds` into the morning */
  function startRigged(config: BoardConfig, model: PhysicsRigOptions['model'], seconds: number, o: { params?: unknown; reconnectEveryMs?: number } = {}) {
    const d = start(config, { reconnectEveryMs: o.reconnectEveryMs });
    const rig = createPhysicsRig({ board: board!, config, model, params: o.params, startAt: MORNING });
    rig.advance(MORNING + seconds * 1000);
    return { d, rig };
  }

  const telemetry = (deviceId: string) =>
    net.seen
      .filter((m) => m.topic === deviceTopic('maria', deviceId, 'telemetry'))
      .map((m) => {
        const r = decode(m.topic, m.payload);
        if (!r.ok) throw new Error(`helpdesk would reject ${m.payload}: ${r.error.reason}`);
        return r.value.payload as Telemetry;
      });
  const readingsOf = (deviceId: string) => telemetry(deviceId).map((t) => t.readings as Record<string, unknown>);

  it('a board fridge publishes cabinet temperatures the helpdesk accepts, following the fridge model', async () => {
    const { d, rig } = startRigged(fastConfig('boards/fridge.yaml'), KINDS.fridge, 10, { params: { initialTempC: 6.5 } });
    await d.start();
    await until(() => telemetry('board-fridge').length >= 3, 5000, 'three telemetry messages');
    const t = telemetry('board-fridge');
    expect(t.every((m) => m.kind === 'fridge')).toBe(true);
    const modelTemp = rig.readings().cabinetTempC as number;
    const last = t.at(-1)!.readings as Record<string, unknown>;
    // a TMP36 on a 10-bit ADC at 5 V resolves 0.49 °C
    expect(Math.abs((last.cabinetTempC as number) - modelTemp)).toBeLessThan(0.6);
    expect(last).toMatchObject({ doorOpen: false, compressorOn: rig.readings().compressorOn, setpointC: 4, ambientTempC: 21 });
    expect(last.powerW).toBe(last.compressorOn ? 64 : 0);
    const online = net.seen.find((m) => m.topic === deviceTopic('maria', 'board-fridge', 'availability'));
    expect(online && JSON.parse(online.payload)).toMatchObject({ state: 'online', kind: 'fridge', reason: 'connected' });
  });

  it('sees the fridge door open when the reed-switch pin goes high, and closed again', async () => {
    const config = fastConfig('boards/fridge.yaml');
    const d = start(config);
    board!.setAnalog(0, 112); // ≈ 4.7 °C on a TMP36
    board!.setDigital(5, 1); // compressor off (active low)
    board!.setDigital(4, 0); // door shut: the magnet holds the reed switch closed, to ground
    await d.start();
    await until(() => readingsOf('board-fridge').some((r) => r.doorOpen === false), 5000, 'door closed');
    board!.setDigital(4, 1); // the magnet moves away: the pulled-up reed switch opens
    await until(() => readingsOf('board-fridge').some((r) => r.doorOpen === true), 5000, 'door open');
    board!.setDigital(4, 0);
    await until(() => readingsOf('board-fridge').at(-1)?.doorOpen === false, 5000, 'door closed again');
  });

  it("a board washer's relay pin goes high when a start command arrives over MQTT", async () => {
    const { d, rig } = startRigged(fastConfig('boards/washer.yaml'), KINDS.washer, 1);
    const writes: Array<{ pin: number; value: number }> = [];
    board!.on('digital-write', (w) => writes.push(w));
    await d.start();
    expect(board!.output(7)).toBe(0);
    await until(() => readingsOf('board-washer').some((r) => r.phase === 'idle'), 5000, 'idle washer');
    await net.observer.publishAsync(
      deviceTopic('maria', 'board-washer', 'command'),
      JSON.stringify({ v: 1, ts: Date.now(), seq: 1, commandId: 'c-start', action: 'start' }),
      { qos: 1 },
    );
    await until(() => writes.some((w) => w.pin === 7 && w.value === 1), 3000, 'relay pin 7 high');
    // a 500 ms press: the pin goes low again
    await until(() => board!.output(7) === 0, 3000, 'relay released');
    await until(() => net.seen.some((m) => m.topic.endsWith('board-washer/event') && m.payload.includes('"c-start"')), 3000, 'command result');
    const result = JSON.parse(net.seen.find((m) => m.topic.endsWith('/event') && m.payload.includes('"c-start"'))!.payload);
    expect(result).toMatchObject({ type: 'command-result', commandId: 'c-start', ok: true });
    // the relay pressed the model washer's start button: it runs and draws power
    expect(rig.commands()).toEqual(['start:ok']);
    rig.advance(MORNING + 5 * 60_000);
    await until(() => readingsOf('board-washer').some((r) => (r.powerW as number) > 5 && r.phase !== 'idle'), 5000, 'washer drawing power');
  });

  it('refuses a command the board cannot carry out, without crashing', async () => {
    const d = start(fastConfig('boards/washer.yaml'));
    board!.setAnalog(1, 0);
    await d.start();
    await net.observer.publishAsync(
      deviceTopic('maria', 'board-washer', 'command'),
      JSON.stringify({ v: 1, ts: Date.now(), seq: 1, commandId: 'c-bs', action: 'battery-saver', on: true }),
      { qos: 1 },
    );
    const result = () => net.seen.find((m) => m.topic.endsWith('/event') && m.payload.includes('"c-bs"'));
    await until(() => result() !== undefined, 3000, 'command result');
    expect(JSON.parse(result()!.payload)).toMatchObject({ ok: false, code: 'EVN_ERR_UNSUPPORTED_COMMAND' });
  });

  it("refuses set-setpoint on a fridge whose board file states the thermostat's setting (it has no thermostat output)", async () => {
    const { d } = startRigged(fastConfig('boards/fridge.yaml'), KINDS.fridge, 10);
    await d.start();
    await net.observer.publishAsync(
      deviceTopic('maria', 'board-fridge', 'command'),
      JSON.stringify({ v: 1, ts: Date.now(), seq: 1, commandId: 'c-sp', action: 'set-setpoint', celsius: 7 }),
      { qos: 1 },
    );
    const result = () => net.seen.find((m) => m.topic.endsWith('/event') && m.payload.includes('"c-sp"'));
    await until(() => result() !== undefined, 3000, 'command result');
    expect(JSON.parse(result()!.payload)).toMatchObject({ ok: false, code: 'EVN_ERR_UNSUPPORTED_COMMAND', detail: expect.stringMatching(/no thermostat output/) });
    await until(() => telemetry('board-fridge').length >= 2, 3000, 'telemetry');
    expect(readingsOf('board-fridge').every((r) => r.setpointC === 4)).toBe(true);
  });

  it('goes offline by its last will when the board is unplugged, and online again when it is back', async () => {
    const { d, rig } = startRigged(fastConfig('boards/car-battery.yaml'), KINDS['car-battery'], 5, { reconnectEveryMs: 100 });
    await d.start();
    const avail = () => net.seen.filter((m) => m.topic === deviceTopic('maria', 'board-car', 'availability')).map((m) => JSON.parse(m.payload));
    await until(() => avail().some((a) => a.state === 'online'), 3000, 'online');
    board!.unplug();
    await until(() => avail().some((a) => a.state === 'offline' && a.reason === 'will'), 5000, 'offline by last will');
    expect(d.status()).not.toBe('online');
    // the reconnect loop opens a new line to the same board
    await until(() => d.status() === 'online', 5000, 'back online');
    await until(() => avail().filter((a) => a.state === 'online').length === 2, 3000, 'second online message');
    const before = telemetry('board-car').length;
    await until(() => telemetry('board-car').length > before, 3000, 'telemetry after the reconnect');
    expect(d.stats().reconnects).toBe(1);
    const v = readingsOf('board-car').at(-1)!.voltageV as number;
    expect(Math.abs(v - (rig.readings().voltageV as number))).toBeLessThan(0.15);
  });

  it('clips and flags out-of-range analog values instead of publishing nonsense', async () => {
    const config = fastConfig('boards/fridge.yaml');
    const d = start(config);
    board!.setAnalog(0, 112);
    await d.start();
    board!.setAnalog(0, 5000); // beyond a 10-bit ADC: a bad line or a broken sensor
    await until(() => d.flags().cabinetTempC !== undefined, 3000, 'flag');
    expect(d.flags().cabinetTempC).toBe('adc-out-of-range');
    await until(() => readingsOf('board-fridge').some((r) => r.cabinetTempC === 80), 5000, 'clipped reading');
    expect(readingsOf('board-fridge').every((r) => (r.cabinetTempC as number) <= 80)).toBe(true);
    board!.setAnalog(0, 450); // TMP36 at 2.2 V: 170 °C, inside the ADC range but not a fridge temperature
    await until(() => d.flags().cabinetTempC === 'above-range', 3000, 'above-range flag');
    board!.setAnalog(0, 112);
    await until(() => d.flags().cabinetTempC === undefined, 3000, 'flag cleared');
    expect(d.stats().flagged).toBeGreaterThanOrEqual(2);
  });

  it('a board fridge with a DS18B20 probe (1-Wire) follows the model within one 1/16 °C step', async () => {
    const { d, rig } = startRigged(fastConfig('boards/fridge-ds18b20.yaml'), KINDS.fridge, 30, { params: { initialTempC: 7 } });
    await d.start();
    await until(() => telemetry('board-fridge').length >= 2, 5000, 'telemetry');
    const last = readingsOf('board-fridge').at(-1)!;
    // 12-bit DS18B20: 1/16 °C steps
    expect(Math.abs((last.cabinetTempC as number) - (rig.readings().cabinetTempC as number))).toBeLessThanOrEqual(0.04);
    expect(Math.abs((last.ambientTempC as number) - 21)).toBeLessThan(0.6);
  });

  it('refuses a DS18B20 board file on firmware without 1-Wire, saying which firmware to flash', async () => {
    const d = start(fastConfig('boards/fridge-ds18b20.yaml'), { oneWire: false, reconnectEveryMs: 0 });
    await expect(d.start()).rejects.toThrow(/EVN_ERR_FIRMWARE_FEATURE: cabinetTempC is a DS18B20 on pin 2.*flash ConfigurableFirmata/);
  });
});
