/**
 * The flags that put a replay (or a helpdesk) on a NATS cluster (docs/scale.md):
 * `--cluster nats://a:4222,nats://b:4222 --cluster-mqtt mqtt://a:1883,mqtt://b:1883 --db postgres://… [--partitions 4] [--workers 2]`.
 */
import { UsageError } from './errors.js';

export interface ClusterFlags {
  cluster?: string;
  'cluster-mqtt'?: string;
  partitions?: string;
  workers?: string;
  db?: string;
}

export const CLUSTER_OPTIONS = {
  cluster: { type: 'string' },
  'cluster-mqtt': { type: 'string' },
  partitions: { type: 'string' },
  workers: { type: 'string' },
} as const;

const urls = (v: string, flag: string, scheme: RegExp, example: string, what = 'URLs'): string[] => {
  const list = v.split(',').map((u) => u.trim()).filter(Boolean);
  const bad = list.find((u) => !scheme.test(u));
  if (!list.length || bad !== undefined) throw new UsageError(`${flag} must be a comma-separated list of ${what} like ${example}, got '${bad ?? v}'`);
  return list;
};

/** `--cluster`'s NATS URLs (also of the commands that join a running cluster: devices, customers) */
const NATS_URL = /^(nats|tls):\/\/[^\s,]+$/;
export const natsUrlList = (v: string): string[] => urls(v, '--cluster', NATS_URL, 'nats://127.0.0.1:4222', 'NATS URLs');

const whole = (v: string | undefined, flag: string, fallback: number, max: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got '${v}'`);
  return n;
};

/** null without --cluster; the other cluster flags without it are a usage mistake */
export function parseClusterFlags(v: ClusterFlags): { natsUrls: string[]; mqttUrls: string[]; db: string; partitions: number; workers: number } | null {
  if (v.cluster === undefined) {
    const stray = (['cluster-mqtt', 'partitions', 'workers'] as const).find((f) => v[f] !== undefined);
    if (stray) throw new UsageError(`--${stray} goes with --cluster`);
    return null;
  }
  if (v['cluster-mqtt'] === undefined) throw new UsageError("--cluster needs --cluster-mqtt: the cluster's MQTT listeners, which the devices connect to");
  if (!v.db || !/^postgres(ql)?:\/\//i.test(v.db)) throw new UsageError('--cluster needs --db postgres://…: the partitions keep their data in PostgreSQL');
  return {
    natsUrls: urls(v.cluster, '--cluster', NATS_URL, 'nats://127.0.0.1:4222'),
    mqttUrls: urls(v['cluster-mqtt'], '--cluster-mqtt', /^mqtt:\/\/[^\s,]+$/, 'mqtt://127.0.0.1:1883'),
    db: v.db,
    partitions: whole(v.partitions, '--partitions', 4, 1024),
    workers: whole(v.workers, '--workers', 2, 64),
  };
}
