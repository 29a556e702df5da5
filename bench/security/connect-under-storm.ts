/**
 * One valid device CONNECT (production scrypt cost, a secured broker) while 500 wrong-secret CONNECTs
 * run in parallel, against the same CONNECT on the same broker unloaded, in one run.
 *
 *   validConnectUnloadedMs   median of 5 first logins of 5 identities, nothing else going on
 *   validConnectUnderStormMs median of 5 first logins of 5 other identities (the first as the storm's
 *                            CONNECTs arrive, then one a second) while 500 clients from another source
 *                            address (127.0.0.2) send wrong secrets and send them again as soon as they
 *                            are refused (goal: under 1,000 ms; 19-26 s before the failed-login throttle)
 *   validConnectUnderStormMaxMs  the slowest of those 5
 *   stormAttempts, stormThrottled, stormVerified   CONNECTs the storm sent during the measurement, and
 *                            how many of them the broker refused before any scrypt work
 *                            (EVN_ERR_AUTH_THROTTLED; their CONNACK 3 is held back up to 2 s) or
 *                            verified (wrong secret or unknown username)
 *
 * The storm's clients run in a process of their own (bad-login-clients.ts); the valid device is one
 * mqtt.js client in this process, from 127.0.0.1 (each identity logs in for the first time, so none
 * is a known pair on that address). Loopback addresses other than 127.0.0.1 need Linux.
 */
import { round } from '../../contracts/round.js';
import mqtt from 'mqtt';
import { credentialStoreOf } from '../../broker/auth/credentials.js';
import type { CredentialsFile } from '../../broker/auth/credentials-file.js';
import { DEFAULT_COST, generateSecret, hashSecret } from '../../broker/auth/secret.js';
import { createBroker } from '../../broker/server.js';
import type { StormReply, StormRequest } from './bad-login-clients.js';
import { forkClients } from './ipc.js';

const STORM = Number(process.env.EVERNET_BENCH_BAD_LOGINS ?? 500);
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function connectUnderStorm(): Promise<Record<string, number>> {
  const secret = generateSecret();
  const hash = await hashSecret(secret, DEFAULT_COST);
  const createdAt = new Date(0).toISOString();
  const identities: CredentialsFile['identities'] = {};
  for (let i = 0; i < 200; i++) identities[`cust-${i}/meter`] = { role: 'device', secret: hash, createdAt };
  for (let i = 0; i < ROUNDS; i++) {
    identities[`base-${i}/meter`] = { role: 'device', secret: hash, createdAt };
    identities[`valid-${i}/meter`] = { role: 'device', secret: hash, createdAt };
  }
  const broker = await createBroker({ port: 0, auth: { credentials: credentialStoreOf({ version: 1, identities }) } }).start();
  const clients = forkClients<StormRequest, StormReply>(new URL('./bad-login-clients.ts', import.meta.url), 'storm clients');
  const timeConnect = async (username: string): Promise<number> => {
    const t0 = performance.now();
    const c = await mqtt.connectAsync(broker.url, { clientId: `evernet-${username.replace('/', '-')}`, username, password: secret, reconnectPeriod: 0, connectTimeout: 120_000 });
    const ms = performance.now() - t0;
    await c.endAsync(true);
    return ms;
  };
  try {
    await timeConnect('cust-0/meter'); // warm-up
    const unloaded: number[] = [];
    for (let i = 0; i < ROUNDS; i++) unloaded.push(await timeConnect(`base-${i}/meter`));
    process.stderr.write(`bench: security: valid connect under a storm of ${STORM} wrong secrets...\n`);
    await clients.ask({ type: 'storm', url: broker.url, count: STORM, localAddress: '127.0.0.2' }, 'launched');
    const loaded: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // the first right as the storm's CONNECTs arrive, then one a second, while the refused storm reconnects
      if (i > 0) await new Promise((r) => setTimeout(r, 1000));
      loaded.push(await timeConnect(`valid-${i}/meter`));
    }
    const storm = await clients.ask({ type: 'stop' }, 'stopped');
    const byCode = broker.stats().byCode;
    return {
      'security.validConnectUnloadedMs': round(median(unloaded), 1),
      'security.validConnectUnderStormMs': round(median(loaded), 1),
      'security.validConnectUnderStormMaxMs': round(Math.max(...loaded), 1),
      'security.validConnectUnderStorm.badLogins': STORM,
      'security.validConnectUnderStorm.stormAttempts': storm.attempts,
      'security.validConnectUnderStorm.stormThrottled': byCode.EVN_ERR_AUTH_THROTTLED ?? 0,
      'security.validConnectUnderStorm.stormVerified': (byCode.EVN_ERR_AUTH_BAD_SECRET ?? 0) + (byCode.EVN_ERR_AUTH_UNKNOWN_USER ?? 0),
    };
  } finally {
    await clients.stop();
    await broker.stop();
  }
}
