/**
 * How the helpdesk meets its devices and apps: the messages it receives and the ones it publishes.
 * The default is MQTT (helpdesk/transport/mqtt.ts: one broker, or a fleet's broker shards); a
 * helpdesk worker on a NATS cluster brings its own (cluster/, docs/scale.md). The service does not
 * know which: it hands every received message to ingest and every decided one to `publish`.
 */
export interface HelpdeskTransport {
  /**
   * Connects and starts delivering messages (raw topic, payload) to `onMessage`. Rejects, having
   * acknowledged nothing, when it cannot (the caller closes what it opened).
   */
  start(onMessage: (topic: string, payload: Uint8Array) => void): Promise<void>;
  /** sends one message the helpdesk decided (QoS 1), on the way to its customer's devices or app */
  publish(topic: string, payload: string | Uint8Array, retain: boolean): void;
  /** disconnects after what was published has left */
  stop(): Promise<void>;
  /** disconnects at once: nothing more is received or acknowledged (the helpdesk cannot go on) */
  abort(): void;
}
