/**
 * NATS for tests: Debian's nats-server (`apt-get install nats-server`), started by
 * cluster/nats/local-cluster.ts as child processes on free loopback ports. `natsAvailable` is false
 * where the binary is absent: such suites say they are skipped in their name
 * (`describe.skipIf(!natsAvailable)(\`…${natsSkipReason}\`)`).
 */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
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

/**
 * every message in the stream EVERNET now, in stream order, read by sequence from the stream's leader
 * (no consumer: right after a node is killed, nats-server 2.9 may take ~10 s to place a new one)
 */
export async function readStream(nc: NatsConnection): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(STREAM);
  const out: StoredMessage[] = [];
  for (let from = state.first_seq; from <= state.last_seq; from += 100) {
    const seqs = Array.from({ length: Math.min(100, state.last_seq - from + 1) }, (_, i) => from + i);
    const got = await Promise.all(seqs.map((seq) => jsm.streams.getMessage(STREAM, { seq }).catch((e: unknown) => {
      if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return null;
      throw e;
    })));
    for (const m of got) if (m) out.push({ seq: m.seq, subject: m.subject, data: m.string() });
  }
  return out;
}
