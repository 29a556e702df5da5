/**
 * `evernet board`: a run on the software board against a real broker (telemetry, Home Assistant
 * discovery, a clean stop), and the coded one-line errors for a bad board file and bad ports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../log/logger.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { boardCommand, DEFAULT_BROKER_URL } from '../../../cli/board-command.js';
import { decode } from '../../../contracts/index.js';
import { portOpenError } from '../../../devices/drivers/errors.js';
import { listBoardPorts } from '../../../devices/drivers/serial.js';
import { until } from '../../helpers/until.js';

const log = silentLogger();

/** a loopback port nothing listens on (bound, then let go) */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
const dir = mkdtempSync(join(tmpdir(), 'evernet-board-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

describe('evernet board', () => {
  const net = observedBroker(['evernet/v1/#', 'homeassistant/#']);

  it('runs a board file on the software board: telemetry, discovery, and offline on stop', async () => {
    const file = join(dir, 'fridge.yaml');
    writeFileSync(file, readFileSync('boards/fridge.yaml', 'utf8').replace('everyS: 5', 'everyS: 0.2'));
    const stop = new AbortController();
    const err = capture();
    const run = boardCommand(['--config', file, '--simulate', '--broker', net.url], { signal: stop.signal, stderr: err.stream, log });
    await until(() => net.seen.filter((m) => m.topic.endsWith('board-fridge/telemetry')).length >= 2, 8000, 'telemetry');
    await until(() => net.seen.some((m) => m.topic.startsWith('homeassistant/sensor/evernet_maria_board_fridge/')), 3000, 'discovery');
    for (const m of net.seen.filter((x) => x.topic.endsWith('/telemetry'))) expect(decode(m.topic, m.payload).ok).toBe(true);
    const configs = net.seen.filter((m) => m.topic.startsWith('homeassistant/')).map((m) => m.topic);
    expect(configs).toContain('homeassistant/binary_sensor/evernet_maria_board_fridge/door/config');
    // the board measures no room temperature: Home Assistant does not get a constant sensor for it
    expect(configs.some((t) => t.endsWith('/ambient_temperature/config'))).toBe(false);
    expect(err.text()).toMatch(/fridge 'board-fridge' on software board is online/);
    stop.abort();
    expect(await run).toBe(0);
    await until(() => net.seen.some((m) => m.topic.endsWith('board-fridge/availability') && m.payload.includes('"disconnected"')), 3000, 'offline');
  });

  it('--simulate-fault failing-alternator on a fast clock: the car drives, the alternator fails, the battery discharges with the engine running', async () => {
    const stop = new AbortController();
    const err = capture();
    const start = '2020-11-02T17:00:00Z';
    const run = boardCommand(['--config', 'boards/car-battery.yaml', '--simulate', '--simulate-fault', 'failing-alternator', '--broker', net.url, '--no-discovery', '--clock-start', start, '--clock-rate', '600'], { signal: stop.signal, stderr: err.stream, log });
    const readings = () =>
      net.seen
        .filter((m) => m.topic.endsWith('board-car/telemetry'))
        .map((m) => {
          const r = decode(m.topic, m.payload);
          if (!r.ok) throw new Error(r.error.reason);
          return r.value.payload as { ts: number; readings: { voltageV: number; currentA: number; engineRunning: boolean } };
        });
    // 5 s of telemetry at 600x: the fault is 2 min in (0.2 s of wall time)
    await until(() => readings().filter((t) => t.readings.engineRunning && t.readings.currentA < -20).length >= 20, 15_000, 'discharge telemetry');
    expect(err.text()).toMatch(/car-battery 'board-car' on software board is online at .*; it measures voltageV, currentA, engineRunning;/);
    // at 600x the board may come online after the fault: engine-sized discharge is "running" once it has
    // lasted engineAfterS (30 s of event time), so the first half minute of its telemetry is left out
    const since = readings()[0]!.ts + 30_000;
    const discharging = readings().filter((t) => t.readings.currentA < -20 && t.ts > since);
    expect(discharging.length).toBeGreaterThan(10);
    expect(discharging.filter((t) => !t.readings.engineRunning || t.readings.voltageV >= 13.2)).toEqual([]);
    expect(discharging[0]!.ts).toBeGreaterThanOrEqual(Date.parse(start) + 120_000);
    expect(readings().filter((t) => t.ts < Date.parse(start) + 120_000).every((t) => t.readings.currentA > -20)).toBe(true);
    const announce = net.seen.find((m) => m.topic.endsWith('board-car/announce'));
    expect(JSON.parse(announce!.payload)).toMatchObject({ kind: 'car-battery', measures: ['voltageV', 'currentA', 'engineRunning'], source: 'board' });
    stop.abort();
    expect(await run).toBe(0);
  });

  it('--simulate arms a washer with a flex offer; --data-dir keeps its outbox and plan', async () => {
    const data = join(dir, 'washer-data');
    const stop = new AbortController();
    const run = boardCommand(['--config', 'boards/washer.yaml', '--simulate', '--broker', net.url, '--no-discovery', '--data-dir', data], { signal: stop.signal, stderr: capture().stream, log });
    await until(() => net.seen.some((m) => m.topic.endsWith('board-washer/event') && m.payload.includes('"flex-offer"')), 8000, 'the flex offer');
    const offer = JSON.parse(net.seen.find((m) => m.payload.includes('"flex-offer"'))!.payload);
    expect(offer).toMatchObject({ type: 'flex-offer', programme: 'cotton-40' });
    expect(offer.latestEnd - offer.earliestStart).toBeGreaterThanOrEqual(7290 * 1000);
    expect(offer.latestEnd - offer.earliestStart).toBeLessThanOrEqual(7290 * 1000 + 86_400_000);
    await until(() => existsSync(join(data, 'maria-board-washer.washer.json')), 3000, 'the state file');
    expect(JSON.parse(readFileSync(join(data, 'maria-board-washer.washer.json'), 'utf8'))).toMatchObject({ offer: { offerId: offer.offerId } });
    expect(existsSync(join(data, 'maria-board-washer.outbox.db'))).toBe(true);
    stop.abort();
    expect(await run).toBe(0);
  });

  it('--simulate-fault door-left-open holds the fridge door open', async () => {
    const stop = new AbortController();
    const run = boardCommand(['--config', 'boards/fridge.yaml', '--simulate', '--simulate-fault', 'door-left-open', '--broker', net.url, '--no-discovery', '--clock-start', '2020-11-02T17:00:00Z', '--clock-rate', '60'], { signal: stop.signal, stderr: capture().stream, log });
    const doors = () => net.seen.filter((m) => m.topic.endsWith('board-fridge/telemetry')).map((m) => (JSON.parse(m.payload) as { ts: number; readings: { doorOpen: boolean } }));
    // open from +10 s; 4 minutes of event time (the door detector waits 3) is 4 s here
    await until(() => doors().filter((d) => d.readings.doorOpen).length >= 40, 10_000, 'four minutes of open door');
    const firstOpen = doors().findIndex((d) => d.readings.doorOpen);
    expect(doors().slice(firstOpen).every((d) => d.readings.doorOpen)).toBe(true);
    stop.abort();
    expect(await run).toBe(0);
  });

  it('names the drills a kind has when --simulate-fault names another', async () => {
    await expect(boardCommand(['--config', 'boards/fridge.yaml', '--simulate', '--simulate-fault', 'failing-alternator', '--broker', net.url], { log })).rejects.toThrow(
      /--simulate-fault 'failing-alternator' is not a drill of a fridge: expected one of door-left-open, compressor-failure, door-ajar, worn-seal/,
    );
    await expect(boardCommand(['--config', 'boards/fridge.yaml', '--simulate-fault', 'door-left-open'], { log })).rejects.toThrow(/--simulate-fault goes with --simulate/);
  });

  it('removes the device from Home Assistant with empty retained configs', async () => {
    const err = capture();
    expect(await boardCommand(['--config', 'boards/washer.yaml', '--broker', net.url, '--remove-discovery'], { stderr: err.stream, log })).toBe(0);
    await until(() => net.seen.filter((m) => m.topic.startsWith('homeassistant/')).length === 8, 3000, 'eight removals');
    expect(net.seen.filter((m) => m.topic.startsWith('homeassistant/')).every((m) => m.payload === '')).toBe(true);
    expect(err.text()).toMatch(/removed washer 'board-washer' from Home Assistant/);
  });

  it('rejects a bad board file with one coded message naming the place', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kind: fridge\ncustomerId: maria\ndeviceId: f\nreadings:\n  cabinetTempC: { sensor: tmp36, pin: A9 }\n  doorOpen: { sensor: reed-switch, pin: 4 }\n');
    const err = capture();
    expect(await boardCommand(['--config', file, '--simulate', '--broker', net.url], { stderr: err.stream, log })).toBe(1);
    expect(err.text()).toMatch(new RegExp(`EVN_ERR_BOARD_FILE: .*\\n${file.replace(/[.]/g, '\\.')}:5:\\d+ readings\\.cabinetTempC\\.pin: unknown pin 'A9': expected an analog input: A0–A5`));
  });

  it('says so when the port does not exist', async () => {
    const err = capture();
    expect(await boardCommand(['--config', 'boards/washer.yaml', '--port', '/dev/ttyACM97', '--broker', net.url], { stderr: err.stream, log })).toBe(1);
    expect(err.text()).toMatch(/^evernet: EVN_ERR_PORT_NOT_FOUND: no serial port \/dev\/ttyACM97/);
  });

  it('says no board was found when none is attached and no --port is given', async (ctx) => {
    if ((await listBoardPorts()).length > 0) ctx.skip(); // a developer's machine with a board plugged in
    const err = capture();
    expect(await boardCommand(['--config', 'boards/washer.yaml', '--broker', net.url], { stderr: err.stream, log })).toBe(1);
    expect(err.text()).toMatch(/^evernet: EVN_ERR_NO_BOARD: no board found: plug the Arduino in over USB.*--port/);
  });

  it('joins the helpdesk\'s broker by default, and says how to fix it when no broker answers there', async () => {
    expect(DEFAULT_BROKER_URL).toBe('mqtt://127.0.0.1:1883');
    const closed = await closedPort();
    const err = capture();
    await expect(boardCommand(['--config', 'boards/fridge.yaml', '--simulate', '--broker', `mqtt://127.0.0.1:${closed}`], { stderr: err.stream, log })).rejects.toMatchObject({
      code: 'EVN_ERR_BROKER_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${closed}.*evernet helpdesk.*--broker URL.*--embedded-broker`)),
    });
  });

  it('starts a broker of its own only when asked, and names the port with a hint when it is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(boardCommand(['--config', 'boards/fridge.yaml', '--simulate', '--embedded-broker', '--mqtt-port', String(port)], { log })).rejects.toMatchObject({
        code: 'EVN_ERR_MQTT_LISTEN',
        message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port} is in use.*evernet helpdesk.*already running.*--broker URL`)),
      });
    } finally {
      taken.close();
    }
    await expect(boardCommand(['--config', 'boards/fridge.yaml', '--embedded-broker', '--broker', 'mqtt://x:1'], { log })).rejects.toThrow(/--embedded-broker and --broker exclude each other/);
  });

  it('says what is wrong with the arguments', async () => {
    await expect(boardCommand([], { log })).rejects.toThrow(/board needs a board file/);
    await expect(boardCommand(['--config', 'x.yaml', '--broker', 'localhost'], { log })).rejects.toThrow(/--broker must be a URL/);
    await expect(boardCommand(['--config', 'x.yaml', '--broker', 'mqtt://a:1883,b:1883'], { log })).rejects.toThrow(/--broker must be a URL .*got 'b:1883'/);
    await expect(boardCommand(['--config', 'x.yaml', '--embedded-broker', '--acks'], { log })).rejects.toThrow(/--acks needs a helpdesk on a NATS cluster/);
  });

  it('--broker with several nodes joins the first that answers, the others kept for when it goes', async () => {
    const down = await closedPort();
    const file = join(dir, 'fridge-nodes.yaml');
    writeFileSync(file, readFileSync('boards/fridge.yaml', 'utf8').replace('everyS: 5', 'everyS: 0.2'));
    const stop = new AbortController();
    const err = capture();
    const run = boardCommand(['--config', file, '--simulate', '--no-discovery', '--broker', `mqtt://127.0.0.1:${down},${net.url}`], { signal: stop.signal, stderr: err.stream, log });
    await until(() => err.text().includes('is online'), 8000, 'online');
    expect(err.text()).toContain(`is online at ${net.url}`);
    await until(() => net.seen.filter((m) => m.topic.endsWith('board-fridge/telemetry')).length >= 1, 8000, 'telemetry');
    stop.abort();
    expect(await run).toBe(0);
    // none answering: the last one's coded error
    await expect(boardCommand(['--config', file, '--simulate', '--broker', `mqtt://127.0.0.1:${down},mqtt://127.0.0.1:${down}`], { log })).rejects.toMatchObject({ code: 'EVN_ERR_BROKER_UNREACHABLE' });
  });
});

describe('serial port errors', () => {
  it('maps permission, missing and busy ports to codes with the fix', () => {
    expect(portOpenError('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0')).message).toMatch(
      /^EVN_ERR_PORT_PERMISSION: permission denied on \/dev\/ttyACM0.*usermod -a -G dialout/,
    );
    expect(portOpenError('/dev/ttyACM0', Object.assign(new Error('EACCES'), { code: 'EACCES' })).code).toBe('EVN_ERR_PORT_PERMISSION');
    expect(portOpenError('/dev/ttyUSB3', new Error('Error: No such file or directory, cannot open /dev/ttyUSB3')).code).toBe('EVN_ERR_PORT_NOT_FOUND');
    expect(portOpenError('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port')).code).toBe('EVN_ERR_PORT_BUSY');
  });
});
