/**
 * `evernet helpdesk` with its tariff flags, as real processes: prices from a day-ahead feed on loopback
 * (a real HTTP server serving a recorded aWATTar answer for the day of the injected clock), a washer's
 * flex offer planned on them and the start sent over MQTT; a feed that is down plans on the fallback and
 * says so; bad flags and a bad configuration file are refused with their codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { deviceTopic } from '../../contracts/index.js';
import { closedPort, startPriceServer, type PriceServer } from '../helpers/price-server.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORLD = fileURLToPath(new URL('../../scenarios/day-in-2020.yaml', import.meta.url));
const HOURLY = readFileSync(new URL('../fixtures/awattar/hourly-2026-11-30.json', import.meta.url), 'utf8');
/** Monday 30 November 2026, 20:30 in Berlin: the washer is loaded, done by 07:00 */
const LOADED = Date.parse('2026-11-30T19:30:00Z');

const tmp = tempDirPerTest('evernet-cli-tariff-');
const children: ChildProcess[] = [];
let server: PriceServer | null = null;

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await gone;
    }
  }
  await server?.close();
  server = null;
});

function helpdesk(...flags: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'helpdesk', '--db', tmp.join('helpdesk.db'), '--http', '127.0.0.1:0', '--mqtt-port', '0', '--world', WORLD,
    '--clock-start', new Date(LOADED).toISOString(), '--log-level', 'warn', ...flags], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c) => (err += String(c)));
  return { stderr: () => err, ready: () => until(() => /MQTT at (mqtt:\/\/\S+),/.test(err), 30_000, () => `the helpdesk to start: ${err}`) };
}

/** publishes maria's washer offer on the helpdesk's broker and resolves with the command it gets back */
async function offer(url: string): Promise<Record<string, unknown>> {
  const client = await mqtt.connectAsync(url, { clientId: 'evernet-maria-washer' });
  try {
    const commands: Array<Record<string, unknown>> = [];
    client.on('message', (_t, p) => commands.push(JSON.parse(String(p)) as Record<string, unknown>));
    await client.subscribeAsync(deviceTopic('maria', 'washer', 'command'), { qos: 1 });
    await client.publishAsync(deviceTopic('maria', 'washer', 'event'), JSON.stringify({
      v: 1, ts: LOADED, seq: 1, type: 'flex-offer', offerId: 'w-live', programme: 'cotton-40', earliestStart: LOADED, latestEnd: Date.parse('2026-12-01T06:00:00Z'),
      slots: [{ durationS: 3600, powerW: 2000 }, { durationS: 3600, powerW: 2000 }],
    }), { qos: 1 });
    await until(() => commands.length > 0, 20_000, 'the schedule-start command');
    return commands[0]!;
  } finally {
    await client.endAsync();
  }
}

describe('evernet helpdesk --tariff', () => {
  it('plans a washer on the day-ahead prices a feed serves for today, and says where its prices come from', async () => {
    server = await startPriceServer({ body: HOURLY });
    const h = helpdesk('--tariff', server.url, '--grid-fee', '0.09', '--vat', '19');
    await h.ready();
    const host = new URL(server.url).host;
    expect(h.stderr()).toContain(`tariff: day-ahead prices (${host}) + grid fee 0.0900 €/kWh, VAT 19 %, no fallback; prices 2026-11-30 00:00–2026-12-02 00:00 (Europe/Berlin); next refresh 2026-12-01 14:00`);
    expect(Number(server.requests[0]!.searchParams.get('start'))).toBe(Date.parse('2026-11-29T23:00:00Z'));
    const mqttUrl = /MQTT at (mqtt:\/\/\S+),/.exec(h.stderr())![1]!;
    // the cheapest two hours of the night in the recorded prices: 03:00-05:00 local
    expect(await offer(mqttUrl)).toMatchObject({ action: 'schedule-start', offerId: 'w-live', startAt: Date.parse('2026-12-01T02:00:00Z') });
  }, 60_000);

  it('starts with the feed down, plans on the fallback and says so, never silently', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/marketdata`;
    const h = helpdesk('--tariff', url, '--tariff-fallback', 'fixed:0.30', '--log-level', 'warn');
    await h.ready();
    expect(h.stderr()).toMatch(/"code":"EVN_ERR_TARIFF_FEED_UNREACHABLE"/);
    expect(h.stderr()).toMatch(/tariff: day-ahead prices \(127\.0\.0\.1:\d+\), fallback fixed tariff 0\.3000 €\/kWh; no prices yet; the feed failed: EVN_ERR_TARIFF_FEED_UNREACHABLE: .*ECONNREFUSED/);
    const mqttUrl = /MQTT at (mqtt:\/\/\S+),/.exec(h.stderr())![1]!;
    // flat fallback: the earliest start, which is when the helpdesk decided (on a whole second)
    const command = await offer(mqttUrl);
    expect(command).toMatchObject({ action: 'schedule-start', offerId: 'w-live' });
    expect(command.startAt).toBeGreaterThanOrEqual(LOADED);
    expect(command.startAt).toBeLessThan(LOADED + 60_000);
    expect((command.startAt as number) % 1000).toBe(0);
    await until(() => /EVN_ERR_PLAN_FALLBACK/.test(h.stderr()), 10_000, 'the fallback warning');
    expect(h.stderr()).toMatch(/load planned on fallback: fixed tariff 0\.3000 €\/kWh \(fallback\): no day-ahead prices/);
  }, 60_000);
});

describe('bad tariff flags', () => {
  async function evernet(...argv: string[]) {
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: await main(argv), err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('are usage errors; a bad configuration file is EVN_ERR_TARIFF_CONFIG with the file and field', async () => {
    expect(await evernet('helpdesk', '--vat', 'lots')).toMatchObject({ code: 2, err: expect.stringMatching(/^evernet: --vat must be a number, got 'lots'\n/) });
    expect(await evernet('helpdesk', '--tariff-fallback', 'cheap')).toMatchObject({ code: 2, err: expect.stringContaining('--tariff-fallback must be fixed:EUR_PER_KWH') });
    expect(await evernet('helpdesk', '--tariff-config', 'x.yaml', '--vat', '19')).toMatchObject({ code: 2, err: expect.stringContaining('--tariff-config holds the whole tariff: drop --vat') });
    const file = tmp.join('tariff.yaml');
    writeFileSync(file, 'prices: { http: ftp://prices.example }\n');
    expect(await evernet('helpdesk', '--tariff-config', file)).toMatchObject({ code: 1, err: `evernet: EVN_ERR_TARIFF_CONFIG: ${file}: prices.http: an http:// or https:// URL\n` });
  });
});
