/**
 * The devices of the fault tests: Maria's car, fridge and washer from the day in 2020, cut to
 * 18:30-19:00 (the alternator fails at 18:40: one battery-discharge incident), as real agents in the
 * test process with persistent outboxes, driven window by window at a bounded pace.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { deviceKey } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { openSqliteOutboxStore } from '../../devices/outbox/sqlite-store.js';
import type { OutboxStore } from '../../devices/outbox/store.js';
import { parseScenario, type LoadedScenario } from '../../scenarios/load.js';
import { deviceSeed } from '../../scenarios/engine/seed.js';

export function evening(start = '18:30', end = '19:00'): LoadedScenario {
  const text = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
    .replace(/^start: .*$/m, `start: "2020-11-02T${start}:00+01:00"`)
    .replace(/^end: .*$/m, `end: "2020-11-02T${end}:00+01:00"`);
  return parseScenario(text, 'scenarios/reliability-evening.yaml');
}

export interface Fleet {
  agents: Agent[];
  stores: OutboxStore[];
  /** messages the helpdesk should have received: telemetry, events and availability of every agent */
  published(): number;
  tick(to: number): void;
  stop(): Promise<void>;
}

export async function startFleet(scenario: LoadedScenario, brokerUrl: string, outboxDir: string): Promise<Fleet> {
  const log = pino({ level: process.env.EVERNET_TEST_LOG ?? 'silent' });
  const agents: Agent[] = [];
  const stores: OutboxStore[] = [];
  for (const d of scenario.devices) {
    const store = openSqliteOutboxStore({ path: path.join(outboxDir, `${d.customerId}-${d.id}.outbox.db`) });
    stores.push(store);
    const agent = createAgent({
      customerId: d.customerId,
      deviceId: d.id,
      model: KINDS[d.kind],
      params: d.params,
      seed: deviceSeed(scenario.scenario.seed, d.customerId, d.id),
      brokerUrl,
      startAt: scenario.startMs,
      log,
      telemetryEveryS: scenario.scenario.telemetryEveryS,
      outbox: store,
      reconnectPeriodMs: 100,
    });
    await agent.start();
    agents.push(agent);
  }
  return {
    agents,
    stores,
    published: () => agents.reduce((n, a) => n + a.stats().published, 0),
    tick: (to) => agents.forEach((a) => a.tick(to)),
    async stop() {
      for (const a of agents) await a.kill().catch(() => undefined);
      for (const s of stores) s.close();
    },
  };
}

/** per device, the sequence numbers it assigned: 1..lastSeq */
export function publishedSeqs(fleet: Fleet): Record<string, number[]> {
  return Object.fromEntries(fleet.agents.map((a) => [deviceKey(a.customerId, a.deviceId), Array.from({ length: a.stats().lastSeq }, (_, i) => i + 1)]));
}
