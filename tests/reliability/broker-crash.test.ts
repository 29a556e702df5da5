/**
 * The broker (`evernet broker --data-dir`, a real process) is killed with SIGKILL in the middle of
 * the evening's incident, while every device has telemetry in flight, and started again on the same
 * port and data directory. The devices keep measuring meanwhile (their outboxes hold it), the
 * helpdesk (a real process with a persistent session) keeps its place in the broker's queue.
 * Afterwards every telemetry message and event reached the helpdesk exactly once after dedup
 * (per device, the sequence numbers it processed are exactly the ones published, each once), and
 * the incident still yields exactly one ticket.
 */
import { describe, expect, it } from 'vitest';
import { crashRuns, settle as settled } from './crash-run.js';
import { evening, publishedSeqs } from './devices.js';
import { startBroker } from './processes.js';

const WINDOW_MS = 10_000;
/** wall ms between windows: ~3 device-seconds per wall ms, a few hundred messages a second */
const PACE_MS = 3;

describe('the broker killed with SIGKILL in the middle of a replay', () => {
  const runs = crashRuns('evernet-broker-crash-');

  it('loses no telemetry: published == processed per device, each exactly once, and one ticket', async () => {
    const scenario = evening();
    const run = await runs.start(scenario);
    const { helpdesk, fleet: f } = run;
    let broker = run.broker;

    /** waits until the helpdesk has every message published so far, then lets it decide up to `to` */
    const settle = (to: number) => settled(helpdesk, f, f.published(), to);

    const killAt = Date.parse('2020-11-02T18:41:00+01:00'); // the detector's evidence is in flight
    const restartAt = Date.parse('2020-11-02T18:44:00+01:00');
    let crashed = false;
    for (let to = scenario.startMs + WINDOW_MS; to <= scenario.endMs; to += WINDOW_MS) {
      f.tick(to);
      await helpdesk.clock(to); // live, its clock is the wall clock: it never lags the devices
      if (to === killAt) {
        await broker.kill9(); // no settling: messages are between devices, broker and helpdesk
        crashed = true;
      } else if (to === restartAt) {
        broker = await startBroker(run.brokerDir, broker.port);
        crashed = false;
      }
      if (!crashed) await settle(to);
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    await Promise.all(f.agents.map((a) => a.drained()));
    await settle(scenario.endMs + 1);

    const outboxes = f.agents.map((a) => a.outboxStats());
    expect(outboxes.map((o) => o.dropped)).toEqual([0, 0, 0]);
    expect(f.agents.every((a) => a.stats().reconnects >= 1)).toBe(true); // they really lost the broker

    const { processed, stats, tickets } = await helpdesk.state();
    const published = publishedSeqs(f);
    // exactly once after dedup: each published seq processed once, in order, nothing else
    expect(processed).toEqual(published);
    expect(stats.gaps).toBe(0);
    expect(Object.values(published).flat().length).toBeGreaterThan(5000);

    // the restarted broker still had the helpdesk's session (subscriptions and queue) from its data directory
    expect(helpdesk.stderr()).not.toContain('lost the helpdesk session');

    expect(tickets.map((t) => [t.deviceId, t.kind])).toEqual([['car', 'battery-discharge']]);
    expect(tickets[0]!.timeline.filter((e) => e.step === 'opened')).toHaveLength(1);
  }, 60_000);
});
