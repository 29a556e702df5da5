/**
 * The nats-server configuration of one node of evernet's cluster (docs/scale.md, "The NATS cluster").
 * Pure: options in, config text out. The shape is the one nats-server 2.9.10 (Debian's) accepts:
 * a `server_name` (JetStream clusters need one), JetStream with its store folder, a cluster block
 * with the routes to every node, an MQTT listener (MQTT keeps its sessions in JetStream, so the
 * global account with JetStream on is enough), and the partition mapping (subjects.ts) as top-level
 * `mappings`, which apply to the global account every client (MQTT or NATS) uses. No accounts, no
 * authorization: a cluster on loopback for development and tests.
 */
import { partitionMappings } from './subjects.js';

export interface NodeConfigOptions {
  /** the node's server_name, unique in the cluster */
  name: string;
  /** the address every listener binds (client, cluster, MQTT, monitoring) */
  host: string;
  /** NATS client port */
  port: number;
  /** the cluster (route) port */
  clusterPort: number;
  /** every node's route address, `host:port` (its own included: nats-server skips it); none for a single node */
  routes: string[];
  /** the MQTT listener's port */
  mqttPort: number;
  /** JetStream's folder for this node (nats-server keeps its files in a `jetstream` folder inside) */
  storeDir: string;
  /** how many partitions the mapping spreads customers over */
  partitions: number;
  /** the monitoring port (/healthz, /jsz, /routez); none if absent */
  httpPort?: number;
  /** the cluster's name, the same on every node; default 'evernet' */
  clusterName?: string;
}

/** a double-quoted string as nats-server's config parser reads it */
const q = (s: string): string => JSON.stringify(s);

/** The config text of one node. */
export function nodeConfig(options: NodeConfigOptions): string {
  const { name, host, port, clusterPort, routes, mqttPort, storeDir, partitions, httpPort } = options;
  const clusterName = options.clusterName ?? 'evernet';
  const mappings = Object.entries(partitionMappings(partitions)).map(([from, to]) => `  ${q(from)}: ${q(to)}`);
  return [
    `# evernet cluster node ${name} (cluster/nats/config.ts): ${partitions} partitions`,
    `server_name: ${q(name)}`,
    `host: ${q(host)}`,
    `port: ${port}`,
    ...(httpPort === undefined ? [] : [`http: ${q(`${host}:${httpPort}`)}`]),
    `jetstream {`,
    `  store_dir: ${q(storeDir)}`,
    `}`,
    // a single node runs without a cluster block: JetStream refuses a cluster without routes
    ...(routes.length === 0
      ? []
      : [
          `cluster {`,
          `  name: ${q(clusterName)}`,
          `  listen: ${q(`${host}:${clusterPort}`)}`,
          `  routes: [${routes.map((r) => q(`nats-route://${r}`)).join(', ')}]`,
          `}`,
        ]),
    `mqtt {`,
    `  listen: ${q(`${host}:${mqttPort}`)}`,
    `}`,
    `mappings {`,
    ...mappings,
    `}`,
    '',
  ].join('\n');
}
