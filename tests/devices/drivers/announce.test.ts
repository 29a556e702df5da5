/**
 * What a board announces (retained, QoS 1) for each shipped board file and for a file with extra
 * sensors: the readings of its kind it really measures, its extra readings (also in its telemetry
 * `extra`), its reporting interval, source 'board'. Real Firmata bytes, a real broker on port 0, a
 * late mqtt.js client that gets the retained announce as a helpdesk starting later would.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IPublishPacket } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, VirtualClock, type Announce, type Telemetry } from '../../../contracts/index.js';
import { boardAnnounce } from '../../../devices/drivers/announce.js';
import { parseBoardFile } from '../../../devices/drivers/load-board-file.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { riggedBoards } from './rigged-board.js';

const T0 = Date.UTC(2020, 10, 2, 9);

function config(text: string): BoardConfig {
  const r = parseBoardFile(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { ...r.config, sampling: { everyMs: 20, window: 3 } };
}

/** what a client that connects after the board gets: the retained announce, with its flags */
async function retainedAnnounce(url: string, deviceId: string): Promise<{ packet: IPublishPacket; body: Announce }> {
  const late = await mqtt.connectAsync(url, { clientId: `late-${deviceId}` });
  try {
    const got = new Promise<IPublishPacket>((resolve) => late.on('message', (_t, _p, packet) => resolve(packet)));
    await late.subscribeAsync(deviceTopic('maria', deviceId, 'announce'), { qos: 1 });
    const packet = await got;
    const r = decode(packet.topic, packet.payload as Buffer);
    if (!r.ok || r.value.channel !== 'announce') throw new Error(`not an announce the helpdesk accepts: ${String(packet.payload)}`);
    return { packet, body: r.value.payload as Announce };
  } finally {
    await late.endAsync();
  }
}

const CAR_WITH_EXTRA = `kind: car-battery
customerId: maria
deviceId: car-extra
publish: { everyS: 2 }
readings:
  voltageV: { sensor: voltage-divider, pin: A0, ratio: 5, calibration: { offsetV: 0 } }
  speedKmh: { sensor: fixed, value: 0 }
extra:
  cabinTempC: { sensor: tmp36, pin: A2 }
  fuelPct: { sensor: analog, pin: A3, volts: [0.5, 4.5], values: [0, 100] }
  doorOpen: { sensor: reed-switch, pin: 4 }
`;

describe('what a board announces', () => {
  const net = observedBroker();
  let clock = new VirtualClock(T0);
  const boards = riggedBoards(() => clock);

  it.each([
    // setpointC: the thermostat's setting the board file states (no sensor could read it)
    ['fridge.yaml', 'board-fridge', ['cabinetTempC', 'doorOpen', 'compressorOn', 'setpointC'], 5],
    ['fridge-ds18b20.yaml', 'board-fridge', ['cabinetTempC', 'ambientTempC', 'doorOpen', 'compressorOn', 'setpointC'], 5],
    // engineRunning: derived from voltage and current together, which holds where the detectors look
    ['car-battery.yaml', 'board-car', ['voltageV', 'currentA', 'engineRunning'], 5],
    // phase and remainingS are derived from power thresholds and the board's plan: not measured
    ['washer.yaml', 'board-washer', ['powerW'], 5],
  ])('%s: retained, QoS 1, the readings it measures', async (file, deviceId, measures, reportEveryS) => {
    clock = new VirtualClock(T0);
    const c = config(readFileSync(`boards/${file}`, 'utf8'));
    await boards.start(c, net.url);
    const { packet, body } = await retainedAnnounce(net.url, deviceId);
    expect(packet.retain).toBe(true);
    expect(packet.qos).toBe(1);
    expect(body).toMatchObject({ kind: c.kind, name: c.name, measures, extra: [], reportEveryS, source: 'board' });
  });

  it('a board without a current sensor does not claim engineRunning (voltage alone misreads a failing alternator)', () => {
    const c = config(readFileSync('boards/car-battery.yaml', 'utf8').replace(/ {2}currentA:[\s\S]*?(?=settings:)/, ''));
    expect(c.readings.map((r) => r.key)).toEqual(['voltageV']);
    expect(boardAnnounce(c).measures).toEqual(['voltageV']);
  });

  it('announces its extra sensors and sends them in telemetry `extra`; a fixed value is not measured', async () => {
    clock = new VirtualClock(T0);
    const c = config(CAR_WITH_EXTRA);
    const { rig, board } = await boards.start(c, net.url);
    const { body } = await retainedAnnounce(net.url, 'car-extra');
    expect(body).toMatchObject({ measures: ['voltageV'], extra: ['cabinTempC', 'fuelPct', 'doorOpen'], reportEveryS: 2, source: 'board' });

    // a TMP36 at 22 °C (0.72 V), the fuel sender at 2.5 V (half of 0.5–4.5 V), the door switch open (pulled up)
    rig.override('cabinTempC', 22);
    board.setAnalog(3, Math.round((2.5 / 5) * 1023));
    board.setDigital(4, 1);
    const extras = () =>
      net.seen
        .filter((m) => m.topic === deviceTopic('maria', 'car-extra', 'telemetry'))
        .map((m) => {
          const r = decode(m.topic, m.payload);
          if (!r.ok) throw new Error(r.error.reason);
          return (r.value.payload as Telemetry).extra;
        });
    await boards.passUntil(() => {
      const e = extras().at(-1);
      return e !== undefined && Math.abs(e.cabinTempC! - 22) < 0.6 && e.doorOpen === 1;
    }, 'extra readings in telemetry');
    const e = extras().at(-1)!;
    expect(Object.keys(e).sort()).toEqual(['cabinTempC', 'doorOpen', 'fuelPct']);
    expect(e.fuelPct).toBeCloseTo(50, 0);
  });
});
