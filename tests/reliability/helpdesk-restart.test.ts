/**
 * The helpdesk's restart path, in one process: a ticket a previous process opened and did not follow
 * up is picked up on start (customer contacted, remote fix sent), and when the detector fires again
 * for the same incident after the restart, the existing ticket is found: a note, not a second ticket.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '../../log/logger.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { deviceTopic, serviceTopic } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import { VirtualClock } from '../../contracts/clock.js';
import { directoryOf } from '../../scenarios/directory.js';
import { deviceSeed } from '../../scenarios/engine/seed.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';
import { evening } from './devices.js';
import { until } from '../helpers/until.js';

const log = silentLogger();
const at = (hhmmss: string) => Date.parse(`2020-11-02T${hhmmss}+01:00`);

describe('a helpdesk started on a database with a ticket it opened before a crash', () => {
  const tmp = tempDirPerTest('evernet-restart-');
  let broker: RunningBroker;
  let store: TicketStore;
  let stack: HelpdeskStack | null = null;
  let agent: Agent | null = null;
  let observer: MqttClient;
  const heard: Array<{ topic: string; body: Record<string, unknown> }> = [];

  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
    observer = await mqtt.connectAsync(broker.url, { clientId: 'observer' });
    observer.on('message', (topic, p) => heard.push({ topic, body: JSON.parse(p.toString()) as Record<string, unknown> }));
    await observer.subscribeAsync([deviceTopic('maria', 'car', 'command'), serviceTopic('maria', 'contact')], { qos: 1 });
    heard.length = 0;
  });
  afterEach(async () => {
    await agent?.kill();
    await stack?.stop();
    await observer.endAsync();
    await broker.stop();
  });

  it('contacts the customer and sends the fix, then finds that ticket when the detector fires again', async () => {
    const db = tmp.join('helpdesk.db');
    // what the crashed process left: the ticket committed, nothing after it
    const before = openSqliteStore({ path: db });
    const opened = life.open({
      incidentKey: `maria/car/battery-discharge/${at('18:40:30')}`, deviceId: 'car', customerId: 'maria', kind: 'battery-discharge',
      severity: 'high', at: at('18:41:01'), evidence: { observed: 'battery current -31 A while driving', since: at('18:40:30') }, proactive: true, by: 'helpdesk',
    });
    if (!opened.ok) throw new Error(opened.error.reason);
    expect(before.openIdempotent(opened.ticket).created).toBe(true);
    before.close();

    const scenario = evening('18:35', '18:50');
    const clock = new VirtualClock(scenario.startMs);
    stack = await startHelpdeskStack({ brokerUrl: broker.url, directory: directoryOf(scenario), db, clock, log, helpdesk: { clientId: 'evernet-helpdesk-restart' } });
    store = stack.store;
    const helpdesk = stack.helpdesk;

    const resumed = store.get(opened.ticket.id)!;
    expect(resumed.timeline.map((e) => e.step)).toEqual(['opened', 'contacted', 'action-sent']);
    await until(() => heard.length >= 2, 5_000, () => `heard ${JSON.stringify(heard)}`);
    expect(heard.find((m) => m.topic.endsWith('/command'))?.body).toMatchObject({ action: 'battery-saver', on: true });
    expect(heard.find((m) => m.topic.endsWith('/contact'))?.body).toMatchObject({ ticketId: opened.ticket.id });

    // the car (which never got that command: it connects only now) keeps discharging; the detector,
    // fresh after the restart, fires again for the same incident
    const car = scenario.devices.find((d) => d.id === 'car')!;
    agent = createAgent({
      customerId: 'maria', deviceId: 'car', model: KINDS['car-battery'], params: car.params, seed: deviceSeed(scenario.scenario.seed, 'maria', 'car'),
      brokerUrl: broker.url, startAt: scenario.startMs, log,
    });
    await agent.start();
    const a = agent;
    const h = helpdesk;
    for (let to = scenario.startMs + 10_000; to <= scenario.endMs; to += 10_000) {
      a.tick(to);
      await h.received(a.stats().published);
      clock.set(to);
      h.advance(to);
    }

    const tickets = store.list();
    expect(tickets).toHaveLength(1);
    const t = tickets[0]!;
    expect(t.id).toBe(opened.ticket.id);
    expect(t.timeline.filter((e) => e.step === 'opened')).toHaveLength(1);
    expect(t.timeline.some((e) => e.step === 'note' && e.detail.text === 'detector fired again')).toBe(true);
  }, 30_000);
});
