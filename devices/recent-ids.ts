/**
 * The ids of the commands a device received lately, to tell a repeat from a new command: QoS 1 may
 * deliver a command twice, and a helpdesk worker that took over sends again what it cannot know was
 * delivered. A repeat comes soon after the first, so the last `keep` ids are enough (default 1,000).
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly keep = 1000) {}

  /** true when `id` was seen among the last `keep`; else it is remembered (the oldest forgotten) and false */
  repeated(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.keep) this.ids.delete(this.ids.values().next().value!);
    return false;
  }
}
