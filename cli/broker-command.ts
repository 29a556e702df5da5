/**
 * `evernet broker`: the MQTT broker alone, secure by default. It refuses to start without
 * --credentials FILE unless --allow-anonymous says so. Plain MQTT (and ws) listen on --host (default
 * 127.0.0.1); TLS (and wss) on --tls-host (default --host), so the network can be offered TLS only.
 * SIGHUP reloads the credentials file and drops connected clients whose identity was revoked or
 * rotated; SIGINT/SIGTERM stop it. --data-dir DIR keeps its state (retained messages, persistent
 * sessions and the messages queued for them, wills) in DIR/broker.db, so a restart (kill -9 included)
 * loses none of it; without it the state lives in memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openCredentialStore, type FileCredentialStore } from '../broker/auth/credentials.js';
import { PersistenceError } from '../broker/persistence/sqlite-persistence.js';
import { createBroker, type BrokerOptions } from '../broker/server.js';
import { createLogger } from '../log/logger.js';
import { realClock } from '../contracts/clock.js';
import { defaultCredentialsPath } from './credentials-command.js';
import { UsageError } from './errors.js';
import { codeTable } from '../contracts/errors.js';

export const BROKER_ERR = codeTable({
  ANONYMOUS: 'EVN_ERR_BROKER_ANONYMOUS',
  TLS_FILE: 'EVN_ERR_BROKER_TLS_FILE',
});

function port(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`${flag} must be a port number, got '${text}'`);
  return n;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export async function brokerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      credentials: { type: 'string' },
      'allow-anonymous': { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-host': { type: 'string' },
      'ws-port': { type: 'string' },
      'data-dir': { type: 'string' },
      sync: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const host = values.host ?? '127.0.0.1';
  if (values.credentials && values['allow-anonymous']) throw new UsageError('give --credentials FILE or --allow-anonymous, not both');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together');
  if (values.sync !== undefined && values.sync !== 'normal' && values.sync !== 'full') throw new UsageError(`--sync must be normal or full, got '${values.sync}'`);
  if (values.sync !== undefined && !values['data-dir']) throw new UsageError('--sync goes with --data-dir');
  if (!values.credentials && !values['allow-anonymous']) {
    const fallback = defaultCredentialsPath();
    const hint = existsSync(fallback) ? `--credentials ${fallback}` : `--credentials FILE (create it with: evernet credentials add <customer>/<device> --file FILE)`;
    process.stderr.write(
      `evernet: ${BROKER_ERR.ANONYMOUS}: the broker refuses to start without credentials: give ${hint},\n` +
        `or --allow-anonymous for a development broker that anyone who can reach it may use.\n`,
    );
    return 2;
  }
  // edge limits and contract checks are on whatever the authentication. --allow-anonymous turns off
  // authentication and the ACL, and with them the publish rate limit: its buckets belong to identities
  // (an anonymous client would get a fresh one by reconnecting under another client id), and replays
  // and fault drills run faster than real time against anonymous brokers
  const NO_RATE_LIMIT = { publishPerSecond: Infinity, publishBurst: Infinity };
  const options: BrokerOptions = { host, port: port(values.port, '--port', 1883), limits: values.credentials ? {} : NO_RATE_LIMIT, validate: true };
  const log = createLogger({ clock: realClock, level: values['log-level'] ?? 'info', pretty: process.stderr.isTTY });
  options.log = log;
  let store: FileCredentialStore | null = null;
  if (values.credentials) {
    const opened = openCredentialStore(values.credentials);
    if (!opened.ok) {
      process.stderr.write(`evernet: ${opened.error.code}: ${opened.error.message}\n`);
      return 1;
    }
    store = opened.value;
    options.auth = { credentials: store };
  }
  if (values['tls-cert'] && values['tls-key']) {
    try {
      const cert = readFileSync(values['tls-cert']);
      const key = readFileSync(values['tls-key']);
      options.tls = { cert, key, port: port(values['tls-port'], '--tls-port', 8883), host: values['tls-host'] ?? host };
    } catch (e) {
      process.stderr.write(`evernet: ${BROKER_ERR.TLS_FILE}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (values['ws-port'] !== undefined) options.wsPort = port(values['ws-port'], '--ws-port', 8083);
  if (values['data-dir']) {
    options.dataDir = values['data-dir'];
    options.sync = values.sync === 'full' ? 'full' : 'normal';
  }
  if (!store) {
    log.warn(
      { code: BROKER_ERR.ANONYMOUS, off: ['authentication', 'acl', 'publish rate limit'], on: ['packet and payload size', 'topic length and depth', 'keep-alive', 'contract validation'] },
      'anonymous broker (development only): authentication, ACL and the per-identity publish rate limit off, so anyone who can reach it may publish and subscribe to any topic; packet, payload, topic and keep-alive limits and contract validation on',
    );
  }
  else if (!isLoopback(host)) log.warn({ host }, 'secrets travel in clear text on a plain listener off loopback: keep --host local, serve others over --tls-host');

  let broker;
  try {
    broker = await createBroker(options).start();
  } catch (e) {
    if (!(e instanceof PersistenceError)) throw e;
    process.stderr.write(`evernet: ${e.code}: ${e.message}\n`);
    return 1;
  }
  const urls = [broker.url, broker.tlsUrl, broker.wsUrl].filter(Boolean).join(', ');
  const state = broker.dataFile ? `, state in ${broker.dataFile}` : '';
  process.stderr.write(`evernet broker: listening on ${urls}${store ? `, identities from ${store.path}` : ', ANONYMOUS'}${state}\n`);
  const onHup = () => {
    if (!store) return;
    const r = store.reload();
    if (!r.ok) return log.error({ code: r.error.code, err: r.error.message }, 'credentials reload failed; keeping the previous identities');
    log.info({ identities: r.value.identities, dropped: broker.revalidate() }, 'credentials reloaded');
  };
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.off('SIGHUP', onHup);
  log.info(broker.stats(), 'broker stopping');
  await broker.stop();
  return 0;
}
