/**
 * The replay's command log on a NATS cluster (scenarios/command-log.ts `cluster`): a connection on
 * every node's MQTT listener, each hearing every command; a node killed under it loses none, and a
 * command heard on several connections, or sent twice with its id, is counted once. Three real
 * nats-server nodes; skipped where nats-server is not installed.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { deviceTopic, encode, stamp } from '../../contracts/index.js';
import { silentLogger } from '../../log/logger.js';
import { createCommandLog, type CommandLog } from '../../scenarios/command-log.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');

describe.skipIf(!natsAvailable)(`the command log on a three-node NATS cluster${natsSkipReason}`, () => {
  let cluster: LocalCluster;
  let log: CommandLog;
  let sender: MqttClient;
  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 3, partitions: 4 });
    log = createCommandLog({ brokerUrls: cluster.mqttUrls, clientId: 'evernet-commands-test', log: silentLogger(), cluster: true });
    await log.start();
    // the helpdesk's side: publishes on node 1
    sender = await mqtt.connectAsync(cluster.mqttUrls[1]!, { clientId: 'helpdesk-out', reconnectPeriod: 200 });
  }, 60_000);
  afterAll(async () => {
    await sender?.endAsync(true);
    await log?.stop();
    await cluster?.stop();
  });

  const command = (n: number): [string, string] => {
    const topic = deviceTopic('maria', 'car', 'command');
    return [topic, encode(topic, stamp({ commandId: `c-${n}`, action: 'battery-saver', on: n % 2 === 0 }, T0 + n * 1000, n))];
  };

  it("hears every command once while the first node (the one a single connection would use) is killed, and counts one sent twice once", async () => {
    for (let n = 1; n <= 20; n++) await sender.publishAsync(...command(n), { qos: 1 });
    await log.received(20);
    await cluster.kill(0);
    for (let n = 21; n <= 40; n++) await sender.publishAsync(...command(n), { qos: 1 });
    // a partition taken over sends a command again under its id
    await sender.publishAsync(...command(40), { qos: 1 });
    await Promise.race([log.received(40), new Promise((_, reject) => setTimeout(() => reject(new Error('the log did not hear 40 commands in 10 s')), 10_000))]);
    await new Promise((r) => setTimeout(r, 300));
    const heard = log.of('maria', 'car');
    expect(heard.map((c) => c.body.commandId)).toEqual(Array.from({ length: 40 }, (_, i) => `c-${i + 1}`));
    expect(heard[0]).toEqual({ at: T0 + 1000, body: { commandId: 'c-1', action: 'battery-saver', on: false } });
  }, 60_000);
});
