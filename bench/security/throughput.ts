/**
 * Throughput with the security checks off and on, in the same run: one device publishes valid
 * telemetry on its own topic at QoS 1, the helpdesk receives it on its wildcard filter, a bounded
 * window in flight (the clients in their own process). Each round runs every mode once, back to back;
 * each figure is the median over the rounds. Broker CPU per message comes from this process's CPU time (all its
 * threads), counted from when both clients are connected and subscribed until the last message arrived.
 */
import { addIdentity, credentialStoreOf } from '../../broker/auth/credentials.js';
import { emptyCredentialsFile, type CredentialsFile } from '../../broker/auth/credentials-file.js';
import { createBroker, type BrokerOptions } from '../../broker/server.js';
import { decode } from '../../contracts/validate.js';
import { HELPDESK_FILTERS, deviceTopic } from '../../contracts/topics.js';
import type { Clients } from './child.js';
import { telemetryPayload } from './payload.js';

export type Mode = 'off' | 'on' | 'onWithoutValidation';

export interface ModeResult {
  messagesPerSecond: number;
  brokerCpuUsPerMessage: number;
}

export interface ThroughputResult {
  modes: Record<Mode, ModeResult>;
  /**
   * median over the rounds of 1 - on/off, each round's runs back to back: steadier than comparing the
   * medians when other work on the machine comes and goes during the bench
   */
  costPercent: number;
  /** the same for broker CPU per message: 1 - off/on, the capacity lost where the broker is the bottleneck */
  brokerCapacityCostPercent: number;
}

const TOPIC = deviceTopic('maria', 'fridge', 'telemetry');
const FILTER = HELPDESK_FILTERS[0];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function identities(): Promise<{ file: CredentialsFile; device: string; helpdesk: string }> {
  const d = await addIdentity(emptyCredentialsFile(), 'maria/fridge', undefined, { now: 0 });
  if (!d.ok) throw new Error(d.error.message);
  const h = await addIdentity(d.value.file, 'helpdesk', 'helpdesk', { now: 0 });
  if (!h.ok) throw new Error(h.error.message);
  return { file: h.value.file, device: d.value.secret, helpdesk: h.value.secret };
}

export async function securityThroughput(clients: Clients, opts: { count: number; rounds: number; window: number }): Promise<ThroughputResult> {
  for (const i of [0, opts.count - 1]) {
    if (!decode(TOPIC, telemetryPayload(i)).ok) throw new Error('bench payload does not pass the contract');
  }
  const ids = await identities();
  const credentials = credentialStoreOf(ids.file);
  // the per-identity rate limit is a policy (50/s for a real device), not the cost of the checks:
  // raised so that one device can carry the whole load; every other limit stays at its default
  const secured: Partial<BrokerOptions> = { auth: { credentials }, limits: { publishPerSecond: 1e9, publishBurst: 1e9 } };
  const options: Record<Mode, Partial<BrokerOptions>> = {
    off: {},
    on: secured,
    onWithoutValidation: { ...secured, validate: false },
  };
  const runs: Record<Mode, { rate: number[]; cpu: number[] }> = { off: { rate: [], cpu: [] }, on: { rate: [], cpu: [] }, onWithoutValidation: { rate: [], cpu: [] } };
  // round 0 warms the JIT up on a fifth of the load and is not counted
  for (let round = 0; round <= opts.rounds; round++) {
    const count = round === 0 ? Math.ceil(opts.count / 5) : opts.count;
    const modes = Object.keys(options) as Mode[];
    // every other round in reverse order, so that no mode always runs first or last
    for (const mode of round % 2 ? modes.reverse() : modes) {
      const broker = await createBroker({ port: 0, ...options[mode] }).start();
      try {
        await clients.ask(
          {
            type: 'throughput',
            url: broker.url,
            count,
            window: opts.window,
            topic: TOPIC,
            filter: FILTER,
            publisher: { clientId: 'evernet-maria-fridge', username: 'maria/fridge', password: ids.device },
            subscriber: { clientId: 'evernet-helpdesk', username: 'helpdesk', password: ids.helpdesk },
          },
          'ready',
        );
        const cpu0 = process.cpuUsage();
        const r = await clients.ask({ type: 'go' }, 'throughput');
        const cpu = process.cpuUsage(cpu0);
        if (round > 0) {
          runs[mode].rate.push(r.received / r.seconds);
          runs[mode].cpu.push((cpu.user + cpu.system) / r.received);
        }
        const rejected = broker.stats().rejected;
        if (rejected > 0) throw new Error(`${mode}: the broker rejected ${rejected} bench messages`);
      } finally {
        await broker.stop();
      }
    }
  }
  const modes = {} as Record<Mode, ModeResult>;
  for (const mode of Object.keys(runs) as Mode[]) modes[mode] = { messagesPerSecond: median(runs[mode].rate), brokerCpuUsPerMessage: median(runs[mode].cpu) };
  const paired = (f: (i: number) => number) => median(runs.off.rate.map((_, i) => f(i))) * 100;
  return {
    modes,
    costPercent: paired((i) => 1 - runs.on.rate[i]! / runs.off.rate[i]!),
    brokerCapacityCostPercent: paired((i) => 1 - runs.off.cpu[i]! / runs.on.cpu[i]!),
  };
}
