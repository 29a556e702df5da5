/**
 * The TLS and WebSocket listeners with real mqtt.js clients. The TLS test makes a throw-away
 * certificate with the openssl binary, and is skipped (saying so) where there is none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/topics.js';
import { pause, secureBroker, validPayload, type SecureBroker } from './fixture.js';

function throwAwayCertificate(): { cert: Buffer; key: Buffer } | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evernet-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { cert: readFileSync(path.join(dir, 'cert.pem')), key: readFileSync(path.join(dir, 'key.pem')) };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tlsFiles = throwAwayCertificate();
const TOPIC = deviceTopic('anna', 'fridge', 'telemetry');

async function roundTrip(s: SecureBroker, url: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const helpdesk = await s.connect('helpdesk', extra, url);
  const got: string[] = [];
  helpdesk.on('message', (topic) => got.push(topic));
  await helpdesk.subscribeAsync(TOPIC, { qos: 1 });
  const fridge = await s.connect('anna/fridge', extra, url);
  await fridge.publishAsync(TOPIC, validPayload(TOPIC), { qos: 1 });
  for (let i = 0; i < 100 && got.length === 0; i++) await pause(10);
  await fridge.endAsync();
  await helpdesk.endAsync();
  return got;
}

describe.skipIf(!tlsFiles)('the TLS listener (needs the openssl binary to make a throw-away certificate)', () => {
  let s: SecureBroker;
  beforeAll(async () => {
    s = await secureBroker([['anna/fridge'], ['helpdesk', 'helpdesk']], { tls: { ...tlsFiles!, port: 0 }, wsPort: 0 });
  });
  afterAll(() => s.stop());

  it('carries authenticated MQTT over TLS, verified against the certificate', async () => {
    expect(s.broker.tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const tls = { ca: tlsFiles!.cert, servername: 'localhost', rejectUnauthorized: true };
    expect(await roundTrip(s, s.broker.tlsUrl!, tls)).toEqual([TOPIC]);
  });

  it('serves browser tools over wss with the same certificate', async () => {
    expect(s.broker.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    expect(await roundTrip(s, s.broker.wsUrl!, { ca: tlsFiles!.cert, servername: 'localhost', rejectUnauthorized: true })).toEqual([TOPIC]);
  });

  it('refuses anonymous clients over TLS too, and a client that does not trust the certificate gets nowhere', async () => {
    const tls = { ca: tlsFiles!.cert, servername: 'localhost' };
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', ...tls }, s.broker.tlsUrl)).toBe(5);
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: s.secrets.get('anna/fridge'), rejectUnauthorized: true }, s.broker.tlsUrl)).not.toBe(0);
  });
});

describe('the WebSocket listener', () => {
  let s: SecureBroker;
  beforeAll(async () => {
    s = await secureBroker([['anna/fridge'], ['helpdesk', 'helpdesk']], { wsPort: 0 });
  });
  afterAll(() => s.stop());

  it('carries authenticated MQTT over WebSocket and refuses anonymous clients', async () => {
    expect(s.broker.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    expect(await roundTrip(s, s.broker.wsUrl!)).toEqual([TOPIC]);
    expect(await s.attempt({ clientId: 'evernet-anna-fridge' }, s.broker.wsUrl)).toBe(5);
  });

  it('holds WebSocket clients to the ACL and the packet guard as well', async () => {
    const fridge = await s.connect('anna/fridge', {}, s.broker.wsUrl);
    const granted = await fridge.subscribeAsync('evernet/v1/#', { qos: 1 }).then(
      (g) => g.map((x) => x.qos),
      (e: Error & { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(granted).toEqual([128]);
    const closed = new Promise<void>((resolve) => fridge.once('close', () => resolve()));
    fridge.publish(TOPIC, 'x'.repeat(200 * 1024), { qos: 0 });
    await closed;
    expect(s.broker.stats().byCode).toMatchObject({ EVN_ERR_ACL_SUBSCRIBE: 1, EVN_ERR_PACKET_TOO_LARGE: 1 });
  });
});
