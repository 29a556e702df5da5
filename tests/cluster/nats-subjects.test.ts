/**
 * The NATS layer's pure parts: subjects and the partition mapping (cluster/nats/subjects.ts), a node's
 * config text (config.ts), the partition count in the stream's description (stream.ts). That the
 * server's partition() agrees with partitionOf is checked against a real cluster in nats.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nodeConfig } from '../../cluster/nats/config.js';
import { redactNatsUrl } from '../../cluster/nats/errors.js';
import { partitionsOfDescription, streamDescription } from '../../cluster/nats/stream.js';
import {
  partitionFilter, partitionMappings, partitionOfSubject, partitionSubjectOfTopic, partitionSubjectPrefix, STREAM_SUBJECTS, subjectOfTopic, topicOfSubject,
} from '../../cluster/nats/subjects.js';

describe('NATS subjects', () => {
  it('maps every device -> helpdesk channel, and nothing the helpdesk sends, to a partition by customer', () => {
    expect(partitionMappings(4)).toEqual({
      'evernet.v1.*.*.telemetry': 'evernet.part.{{partition(4,1)}}.v1.{{wildcard(1)}}.{{wildcard(2)}}.telemetry',
      'evernet.v1.*.*.event': 'evernet.part.{{partition(4,1)}}.v1.{{wildcard(1)}}.{{wildcard(2)}}.event',
      'evernet.v1.*.*.availability': 'evernet.part.{{partition(4,1)}}.v1.{{wildcard(1)}}.{{wildcard(2)}}.availability',
      'evernet.v1.*.*.announce': 'evernet.part.{{partition(4,1)}}.v1.{{wildcard(1)}}.{{wildcard(2)}}.announce',
      'evernet.v1.*._app.request': 'evernet.part.{{partition(4,1)}}.v1.{{wildcard(1)}}._app.request',
    });
    const sources = Object.keys(partitionMappings(4)).join(' ');
    for (const ch of ['command', 'answer', 'ticket', 'contact']) expect(sources).not.toContain(ch);
    expect(() => partitionMappings(0)).toThrow(RangeError);
  });

  it('turns topics into subjects and partition subjects back into topics', () => {
    expect(subjectOfTopic('evernet/v1/c/d/command')).toBe('evernet.v1.c.d.command');
    expect(topicOfSubject('evernet.part.3.v1.c.d.telemetry')).toBe('evernet/v1/c/d/telemetry');
    expect(topicOfSubject('evernet.part.0.v1.maria._app.request')).toBe('evernet/v1/maria/_app/request');
    expect(topicOfSubject('evernet.part.3.mark.n1')).toBeNull();
    expect(topicOfSubject('evernet.v1.c.d.telemetry')).toBeNull();
    expect(partitionOfSubject('evernet.part.12.v1.c.d.event')).toBe(12);
    expect(partitionOfSubject('evernet.part.x.v1.c.d.event')).toBeNull();
    expect(partitionOfSubject('evernet.part.01.v1.c.d.event')).toBeNull();
    expect(partitionSubjectPrefix(2)).toBe('evernet.part.2');
    expect(partitionFilter(2)).toBe('evernet.part.2.>');
    expect(STREAM_SUBJECTS).toEqual(['evernet.part.*.>']);
  });

  it('computes the partition subject the server maps a topic to, and none for a command', () => {
    const s = partitionSubjectOfTopic('evernet/v1/maria/car/telemetry', 4)!;
    expect(s).toMatch(/^evernet\.part\.[0-3]\.v1\.maria\.car\.telemetry$/);
    expect(topicOfSubject(s)).toBe('evernet/v1/maria/car/telemetry');
    expect(partitionSubjectOfTopic('evernet/v1/maria/car/command', 4)).toBeNull();
    expect(partitionSubjectOfTopic('evernet/v1/maria/_helpdesk/answer', 4)).toBeNull();
  });
});

describe('a node config', () => {
  const text = nodeConfig({
    name: 'n1', host: '127.0.0.1', port: 4222, clusterPort: 6222, routes: ['127.0.0.1:6222', '127.0.0.1:6223'], mqttPort: 1883,
    storeDir: '/var/lib/evernet/n1', partitions: 8, httpPort: 8222,
  });

  it('names the server, turns JetStream, the routes and MQTT on, and carries the mapping', () => {
    expect(text).toContain('server_name: "n1"');
    expect(text).toContain('store_dir: "/var/lib/evernet/n1"');
    expect(text).toContain('routes: ["nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6223"]');
    expect(text).toContain('listen: "127.0.0.1:1883"');
    expect(text).toContain('http: "127.0.0.1:8222"');
    expect(text).toContain('"evernet.v1.*.*.telemetry": "evernet.part.{{partition(8,1)}}.v1.{{wildcard(1)}}.{{wildcard(2)}}.telemetry"');
  });

  it('has no cluster block for a single node (JetStream refuses a cluster without routes)', () => {
    const single = nodeConfig({ name: 'n1', host: '127.0.0.1', port: 4222, clusterPort: 6222, routes: [], mqttPort: 1883, storeDir: '/tmp/n1', partitions: 2 });
    expect(single).not.toContain('cluster {');
    expect(single).not.toContain('http:');
    expect(single).toContain('mqtt {');
  });
});

describe('the partition count of the stream and shown URLs', () => {
  it('is written in the description and read back', () => {
    expect(streamDescription(4)).toBe('evernet partitions=4');
    expect(partitionsOfDescription(streamDescription(16))).toBe(16);
    expect(partitionsOfDescription('something else')).toBeNull();
    expect(partitionsOfDescription(undefined)).toBeNull();
  });

  it('shows a NATS URL without its credentials', () => {
    expect(redactNatsUrl('nats://user:secret@10.0.0.1:4222')).toBe('nats://10.0.0.1:4222');
    expect(redactNatsUrl('token@10.0.0.1:4222')).toBe('10.0.0.1:4222');
    expect(redactNatsUrl('nats://10.0.0.1:4222')).toBe('nats://10.0.0.1:4222');
  });
});
