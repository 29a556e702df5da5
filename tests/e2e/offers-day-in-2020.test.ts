/**
 * Maria's 08:30 offer in the day in 2020 (the paper's upgrade call), replayed through a real aedes broker
 * with a real mqtt.js subscriber in the place of her app: opted in, the offer reaches her app at 08:30 with
 * its reason; opted out, nothing reaches her and the report has no offer.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/server.js';
import { serviceTopic } from '../../contracts/index.js';
import { silentLogger } from '../../log/logger.js';
import { parseScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';

/** the morning of the day in 2020, with Maria's consent to offers as given */
function morning(optedIn: boolean) {
  const text = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
    .replace(/^end: .*$/m, 'end: "2020-11-02T08:40:00+01:00"')
    .replace(/^expect:[\s\S]*$/m, '')
    .replace(/^( +)offers: true$/m, `$1offers: ${optedIn}`);
  return parseScenario(text, 'scenarios/morning.yaml');
}

/** replays the morning on a broker of its own, with a subscriber on Maria's contact topic */
async function replayWatched(optedIn: boolean) {
  const broker = await createBroker({ port: 0 }).start();
  const app = await mqtt.connectAsync(broker.url, { clientId: 'maria-phone' });
  const seen: Array<Record<string, unknown>> = [];
  try {
    app.on('message', (_topic, payload) => seen.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await app.subscribeAsync(serviceTopic('maria', 'contact'), { qos: 1 });
    const { report } = await replay({ scenario: morning(optedIn), log: silentLogger(), brokerUrl: broker.url });
    await new Promise((r) => setTimeout(r, 200));
    return { report, seen };
  } finally {
    await app.endAsync();
    await broker.stop();
  }
}

describe("Maria's 08:30 offer", () => {
  it('reaches her app at 08:30 with its reason when she opted in to offers', async () => {
    const { report, seen } = await replayWatched(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ ts: Date.parse('2020-11-02T08:30:00+01:00'), ticketId: '', deviceId: 'car', channel: 'app-push', offerId: report.offers[0]!.offerId });
    expect(seen[0]!.text).toBe('Good morning Maria, you drove 286 km on 6 of the last 7 days. An upgrade of your mobility flatrate covers that for a fixed price a month. Interested? Answer in the app.');
    expect(report.offers).toEqual([{
      at: '2020-11-02T08:30:00+01:00', customerId: 'maria', offerId: seen[0]!.offerId, offer: 'Mobility flatrate upgrade', rule: 'mobility-flatrate-upgrade', partner: null, channel: 'app-push',
      reason: "Rule mobility-flatrate-upgrade: the customer drives a lot and commutes daily (km driven in the 7 days before today: 286 km >= 150 km; days with 2 or more trips (there and back) in the 7 days before today: 5 >= 4). Data: the car's telemetry (speed over time); the car's telemetry (engine starts).",
      outcome: 'offered', outcomeAt: null, code: null,
    }]);
    expect(report.contacts).toEqual([{ at: '2020-11-02T08:30:00+01:00', customerId: 'maria', ticketId: null, offerId: seen[0]!.offerId, channel: 'app-push', text: seen[0]!.text }]);
  }, 60_000);

  it('does not reach her, nor appear in the report, when she has not opted in', async () => {
    const { report, seen } = await replayWatched(false);
    expect(seen).toEqual([]);
    expect(report.offers).toEqual([]);
    expect(report.contacts).toEqual([]);
  }, 60_000);
});
