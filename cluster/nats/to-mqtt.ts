/**
 * Publishing from NATS to devices' MQTT sessions (a worker's commands, answers, contacts; docs/scale.md
 * "The NATS cluster"). Measured on nats-server 2.9.10 (tests/cluster/nats.test.ts):
 *
 * - a plain NATS publish on `evernet.v1.c.d.command` reaches the MQTT subscribers connected at that
 *   moment (as QoS 0), and is lost for a persistent session (clean: false) that is away;
 * - the server keeps QoS 1 messages for MQTT sessions in its JetStream stream `$MQTT_msgs`
 *   (subjects `$MQTT.msgs.>`), marked with the header `Nmqtt-Pub: 1`; a message stored there the same
 *   way reaches every QoS 1 subscription, online at once and offline at its reconnect, as QoS 1.
 *
 * publishToMqtt does what the server does for an MQTT QoS 1 publish: stores the message in
 * `$MQTT_msgs` (awaiting JetStream's acknowledgement: once it returns, every persistent session
 * subscribed at QoS 1 will get it) and publishes it on the plain subject with the same header, which
 * QoS 0 subscribers receive and QoS 1 subscriptions skip (so nobody gets it twice). It leans on the
 * server's MQTT internals (`$MQTT.msgs.`, `Nmqtt-Pub`, described in nats-server's README-MQTT.md); the
 * test above fails if an upgrade changes them. The alternative without internals is an MQTT client
 * (mqtt.js, QoS 1) in the worker.
 */
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { CLUSTER_ERR, ClusterError } from './errors.js';
import { subjectOfTopic } from './subjects.js';

/** the server's stream of QoS 1 messages for MQTT sessions, and its subject prefix (nats-server 2.9) */
export const MQTT_MSGS_STREAM = '$MQTT_msgs';
export const MQTT_MSGS_PREFIX = '$MQTT.msgs.';
/** the header that marks a NATS message as an MQTT publish, with its QoS */
export const MQTT_PUB_HEADER = 'Nmqtt-Pub';

export interface PublishToMqttResult {
  /** the message's sequence in $MQTT_msgs, or null: no MQTT client has ever connected (no stream, so no session to keep it for) */
  seq: number | null;
}

/**
 * Publishes `payload` on MQTT `topic` as a QoS 1 message: kept for persistent sessions that are away.
 * Throws ClusterError EVN_ERR_CLUSTER_STREAM when JetStream does not acknowledge it (nothing was sent
 * on the plain subject either, so a retry sends it once more at most).
 */
export async function publishToMqtt(nc: NatsConnection, topic: string, payload: string | Uint8Array): Promise<PublishToMqttResult> {
  const subject = subjectOfTopic(topic);
  const h = headers();
  h.set(MQTT_PUB_HEADER, '1');
  let seq: number | null = null;
  try {
    seq = (await jetstream(nc).publish(MQTT_MSGS_PREFIX + subject, payload, { headers: h })).seq;
  } catch (e) {
    if (!(await mqttStreamMissing(nc))) {
      throw new ClusterError(CLUSTER_ERR.STREAM, `cannot keep ${topic} for MQTT sessions (${MQTT_MSGS_STREAM}): ${(e as Error).message}`);
    }
  }
  nc.publish(subject, payload, { headers: h });
  return { seq };
}

async function mqttStreamMissing(nc: NatsConnection): Promise<boolean> {
  try {
    await (await jetstreamManager(nc)).streams.info(MQTT_MSGS_STREAM);
    return false;
  } catch (e) {
    return e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;
  }
}
