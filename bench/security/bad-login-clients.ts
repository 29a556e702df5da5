/**
 * The storm's clients, in a process of their own (forked by connect-under-storm.ts), so that the
 * broker's process spends its CPU on the broker only. Driven over IPC:
 *
 *   { type: 'storm', url, count, localAddress }  `count` mqtt.js clients from `localAddress`, each
 *        sending CONNECT with a wrong secret and again as soon as it is refused -> { type: 'launched' }
 *        once every one of them has its TCP connection and has sent its first CONNECT
 *   { type: 'stop' }   ends them all -> { type: 'stopped', attempts, byReturnCode }
 *   { type: 'exit' }
 */
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { serveRequests } from './ipc.js';

export type StormRequest = { type: 'storm'; url: string; count: number; localAddress: string } | { type: 'stop' } | { type: 'exit' };
export type StormReply =
  | { type: 'launched' }
  | { type: 'stopped'; attempts: number; byReturnCode: Record<string, number> }
  | { type: 'error'; message: string };

/** the storm's usernames: half exist (a real hash to check), half do not (the decoy hash) */
export const stormTarget = (i: number): string => (i % 2 === 0 ? `cust-${i % 200}/meter` : `nobody-${i}/meter`);
const clientIdOf = (username: string) => `evernet-${username.replace('/', '-')}`;

let running = false;
const clients = new Set<MqttClient>();
let attempts = 0;
const byReturnCode: Record<string, number> = {};

function attacker(url: string, i: number, localAddress: string, onFirstSocket: () => void): void {
  if (!running) return;
  const { hostname, port } = new URL(url);
  const username = stormTarget(i);
  let first = true;
  const c = new mqtt.MqttClient(
    () => {
      const s = net.connect({ host: hostname, port: Number(port), localAddress });
      if (first) s.once('connect', onFirstSocket);
      first = false;
      return s;
    },
    { protocolVersion: 4, clientId: clientIdOf(username), username, password: `wrong-${i}-${attempts}`, reconnectPeriod: 0, connectTimeout: 600_000, keepalive: 60 },
  );
  clients.add(c);
  attempts++;
  let done = false;
  const again = (code: string) => {
    if (done) return;
    done = true;
    byReturnCode[code] = (byReturnCode[code] ?? 0) + 1;
    clients.delete(c);
    c.end(true);
    setImmediate(() => attacker(url, i, localAddress, () => undefined));
  };
  c.once('error', (e: Error & { code?: number }) => again(String(e.code ?? 'error')));
  c.once('close', () => again('closed'));
  c.once('connect', () => again('0'));
}

function storm(url: string, count: number, localAddress: string): Promise<void> {
  running = true;
  let up = 0;
  return new Promise((resolve) => {
    for (let i = 0; i < count; i++) attacker(url, i, localAddress, () => ++up === count && resolve());
  });
}

serveRequests<StormRequest, StormReply>(async (msg) => {
  switch (msg.type) {
    case 'storm':
      await storm(msg.url, msg.count, msg.localAddress);
      return { type: 'launched' };
    case 'stop': {
      running = false;
      for (const c of clients) c.end(true);
      clients.clear();
      const reply: StormReply = { type: 'stopped', attempts, byReturnCode: { ...byReturnCode } };
      attempts = 0;
      for (const k of Object.keys(byReturnCode)) delete byReturnCode[k];
      return reply;
    }
  }
});
