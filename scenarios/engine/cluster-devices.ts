/**
 * How a replay's devices connect to a NATS cluster's MQTT listeners (docs/scale.md), in the runner's
 * process or in device hosts alike.
 */
import type { DeviceHostOptions } from './device-host.js';

/**
 * devices connecting at once to a NATS cluster's MQTT listeners: each QoS 1 subscription is a JetStream
 * consumer the cluster places, and a burst of a hundred is answered with SUBACK failures
 */
const CLUSTER_CONNECT_CONCURRENCY = 20;

/**
 * a cluster replay's devices confirm end to end (docs/scale.md#end-to-end-acknowledgements): a NATS node
 * killed loses nothing. At QoS 0: the worker's confirmation is the acknowledgement that counts, and a
 * QoS 1 publish costs the node a round trip to the stream per message
 */
const CLUSTER_ACKS = { qos: 0 } as const;

/** a device host's options for devices on the cluster whose MQTT listeners are `urls`: each fails over to the others */
export function clusterDeviceOptions(urls: readonly string[]): Pick<DeviceHostOptions, 'failoverUrls' | 'connectConcurrency' | 'acks'> {
  return { failoverUrls: urls, connectConcurrency: CLUSTER_CONNECT_CONCURRENCY, acks: CLUSTER_ACKS };
}
