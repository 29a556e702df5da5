/**
 * The helpdesk bench (bench/helpdesk.ts) measures what it says: the day it makes is what the devices
 * publish (every device's hello, then its telemetry and events, window by window, in order), and the
 * helpdesk it runs takes every message of it, rejects none, and decides as a replay's does (tickets).
 */
import { describe, expect, it } from 'vitest';
import { parsedTopic } from '../../contracts/topics.js';
import { helpdeskDay, makeDay, meanPayloadBytes, messagesOf } from '../../bench/helpdesk.js';
import { loadFleetScenario } from '../../bench/fleet-scenario.js';

describe('the helpdesk bench', () => {
  it('makes a day of what the devices publish, and the helpdesk takes all of it', async () => {
    const loaded = loadFleetScenario({ homes: 6, pipeline: true });
    const day = makeDay(loaded);
    expect(day).toHaveLength(1440);
    expect(day.at(-1)!.end).toBe(loaded.endMs);
    // the first window opens with every device's announce and "online"
    const first = [...messagesOf(day[0]!)];
    const hellos = first.slice(0, 2 * loaded.devices.length).map(([t]) => parsedTopic(t));
    expect(hellos.filter((t) => t?.channel === 'announce')).toHaveLength(loaded.devices.length);
    expect(hellos.filter((t) => t?.channel === 'availability')).toHaveLength(loaded.devices.length);
    // then the devices' own messages, each in the window it was published in, its time stamp within it
    const data = day.flatMap((w, i) => [...messagesOf(w)].map(([t, p]) => ({ i, t: parsedTopic(t), ts: (JSON.parse(p.toString()) as { ts: number }).ts })));
    const telemetry = data.filter((m) => m.t?.channel === 'telemetry');
    expect(telemetry.length).toBeGreaterThan(loaded.devices.length * 96 * 0.5);
    for (const m of data.filter((d) => d.t?.channel === 'telemetry' || d.t?.channel === 'event')) {
      expect(m.ts).toBeLessThanOrEqual(day[m.i]!.end);
      if (m.i > 0) expect(m.ts).toBeGreaterThan(day[m.i - 1]!.end);
    }
    const messages = data.length;
    const run = await helpdeskDay(loaded, day);
    expect(run.received).toBe(messages);
    expect(run.rejected).toBe(0);
    expect(run.seconds).toBeGreaterThan(0);
  }, 120_000);

  it("gives bench fleet's bare pattern the mean size of the messages a fleet's first homes publish in the whole fleet's day", () => {
    const loaded = loadFleetScenario({ homes: 6, pipeline: true });
    const first = new Set(loaded.devices.map((d) => d.customerId).filter((c, i, all) => all.indexOf(c) === i).slice(0, 2));
    // their messages in the day of all six homes: a device's day is its own, whoever else is in the fleet
    const theirs = makeDay(loaded).flatMap((w) => [...messagesOf(w)]).filter(([t]) => first.has(parsedTopic(t)!.customerId));
    const mean = theirs.reduce((n, [, p]) => n + p.length, 0) / theirs.length;
    expect(theirs.length).toBeGreaterThan(100);
    expect(meanPayloadBytes(loaded, 2)).toBeCloseTo(mean, 9);
    expect(meanPayloadBytes(loaded, 6)).not.toBeCloseTo(mean, 9);
  }, 120_000);
});
