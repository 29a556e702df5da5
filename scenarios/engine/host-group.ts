/** Several device hosts driven as one: each call goes to all of them at once, their progress summed. */
import { addCount, noCounts, type DeviceHost, type HostProgress, type PartitionCounts } from './device-host.js';

const sum = (ps: readonly HostProgress[]): HostProgress => ({
  toHelpdesk: ps.reduce((n, p) => n + p.toHelpdesk, 0),
  commandsReceived: ps.reduce((n, p) => n + p.commandsReceived, 0),
});

export function hostGroup(hosts: readonly DeviceHost[]): DeviceHost {
  if (hosts.length === 1) return hosts[0]!;
  return {
    start: async () => void (await Promise.all(hosts.map((h) => h.start()))),
    advance: async (from, to, sent) => {
      const list = [...sent];
      return sum(await Promise.all(hosts.map((h) => h.advance(from, to, list))));
    },
    settle: async (sent) => {
      const list = [...sent];
      return sum(await Promise.all(hosts.map((h) => h.settle(list))));
    },
    progress: () => sum(hosts.map((h) => h.progress())),
    ...(hosts.every((h) => h.toHelpdeskBy)
      ? {
          toHelpdeskBy: (partitions: number): PartitionCounts => {
            const by = noCounts(partitions);
            for (const h of hosts) {
              const c = h.toHelpdeskBy!(partitions);
              for (let p = 0; p < partitions; p++) addCount(by, p, c.all[p]!, c.said[p]!);
            }
            return by;
          },
        }
      : {}),
    stop: async () => void (await Promise.all(hosts.map((h) => h.stop()))),
  };
}
