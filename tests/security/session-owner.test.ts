/**
 * Finding 8 of the hardening issue (sessions): a persistent session belongs to the identity that made
 * it. Another identity allowed the same client id (two helpdesk or admin identities share the
 * evernet-helpdesk-* space) may neither resume it nor wipe it, also after a restart of a broker with a
 * data directory. Real broker, real SQLite file, real mqtt.js clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { HELPDESK_FILTERS, deviceTopic } from '../../contracts/topics.js';
import { CHEAP, pause, validPayload } from '../broker/fixture.js';
import { credentialsAt } from './hardening-fixture.js';

const CLIENT_ID = 'evernet-helpdesk-main';
const TELEMETRY = deviceTopic('anna', 'fridge', 'telemetry');

describe('persistent sessions bound to identities', () => {
  let broker: RunningBroker | null = null;
  let dir = '';
  afterEach(async () => {
    await broker?.stop();
    broker = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses another identity's resume or takeover of an offline persistent session, before and after a restart, and keeps its queue for its owner", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'evernet-owner-'));
    const creds = await credentialsAt([['helpdesk', 'helpdesk'], ['night-shift', 'helpdesk'], ['anna/fridge']], CHEAP);
    const start = () => createBroker({ port: 0, dataDir: dir, auth: { credentials: creds.store } }).start();
    broker = await start();
    const as = (username: string, clean: boolean) => ({ clientId: CLIENT_ID, username, password: creds.secret(username), clean, reconnectPeriod: 0 });
    const attempt = (username: string, clean: boolean) =>
      mqtt.connectAsync(broker!.url, as(username, clean)).then(
        async (c) => {
          await c.endAsync(true);
          return 0;
        },
        (e: { code?: number }) => e.code ?? -1,
      );

    const day = await mqtt.connectAsync(broker.url, as('helpdesk', false));
    await day.subscribeAsync([...HELPDESK_FILTERS], { qos: 1 });
    await day.endAsync();
    const fridge = await mqtt.connectAsync(broker.url, { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: creds.secret('anna/fridge'), reconnectPeriod: 0 });
    for (let seq = 1; seq <= 3; seq++) await fridge.publishAsync(TELEMETRY, validPayload(TELEMETRY, seq), { qos: 1 });
    await fridge.endAsync();

    expect(await attempt('night-shift', false)).toBe(2); // resume someone else's queue
    expect(await attempt('night-shift', true)).toBe(2); // wipe it
    expect(broker.stats().byCode.EVN_ERR_AUTH_SESSION_OWNER).toBe(2);

    await broker.stop();
    broker = await start();
    expect(await attempt('night-shift', false)).toBe(2);
    expect(broker.stats().byCode.EVN_ERR_AUTH_SESSION_OWNER).toBe(1);

    // the owner resumes and gets its whole queue
    const got: number[] = [];
    const back = mqtt.connect(broker.url, as('helpdesk', false));
    back.on('message', (_t, p) => got.push((JSON.parse(p.toString()) as { seq: number }).seq));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve) => back.once('connect', resolve));
    expect(connack.sessionPresent).toBe(true);
    for (let i = 0; i < 200 && got.length < 3; i++) await pause(10);
    expect(got).toEqual([1, 2, 3]);
    await back.endAsync();

    // once the owner ends its session (clean: true), the client id is free for another identity
    expect(await attempt('helpdesk', true)).toBe(0);
    expect(await attempt('night-shift', false)).toBe(0);
  }, 30_000);
});
