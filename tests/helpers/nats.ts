/**
 * NATS for tests: Debian's nats-server (`apt-get install nats-server`), started by
 * cluster/nats/local-cluster.ts as child processes on free loopback ports. `natsAvailable` is false
 * where the binary is absent: such suites say they are skipped in their name
 * (`describe.skipIf(!natsAvailable)(\`…${natsSkipReason}\`)`).
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { findNatsServer } from '../../cluster/nats/local-cluster.js';
import { STREAM } from '../../cluster/nats/subjects.js';

export const natsServer: string | null = findNatsServer();
export const natsAvailable = natsServer !== null;
/** '' where nats-server is installed, else why the suite is skipped (append it to the suite's name) */
export const natsSkipReason = natsAvailable ? '' : ' (skipped: nats-server is not installed; apt-get install nats-server)';

export interface StoredMessage {
  seq: number;
  subject: string;
  data: string;
}

/** every message in the stream EVERNET now, in stream order (an ordered consumer read to its end) */
export async function readStream(nc: NatsConnection): Promise<StoredMessage[]> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(STREAM);
  const { num_pending } = await consumer.info();
  const out: StoredMessage[] = [];
  if (num_pending === 0) return out;
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push({ seq: m.seq, subject: m.subject, data: m.string() });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}
