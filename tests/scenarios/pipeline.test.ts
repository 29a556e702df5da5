/**
 * A pipelined replay (scenario `pipeline: true`, docs/fleets.md#pipelined-windows): the helpdesk decides a
 * window while the devices move through the next, and its commands reach them a window later. The report is
 * the same on one process or many; a pipelined scenario with an outage drill, or on a cluster, is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Report } from '../../scenarios/report.js';
import { replay } from '../../scenarios/runner.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

/** engine-12 (12 homes, three evening hours, faults, one-minute windows), pipelined, without its outage drill unless asked */
function pipelined(file: string, o: { outages?: boolean; pipeline?: boolean } = {}): string {
  const doc = parseDocument(readFileSync('tests/fixtures/fleet/engine-12.yaml', 'utf8'));
  doc.set('pipeline', o.pipeline ?? true);
  doc.set('tariff', resolve('data/de-day-ahead-2020.csv'));
  if (!o.outages) doc.delete('outages');
  writeFileSync(file, doc.toString());
  return file;
}

/** each ticket's remote action: when it was sent, and when the device's result says it was carried out */
const actions = (r: Report): Array<[string | null, string | null | undefined]> =>
  (r.tickets ?? []).filter((t) => t.actionSentAt !== null).map((t) => [t.actionSentAt, t.timeline.find((e) => e.step === 'action-confirmed')?.at]);

describe('a pipelined replay', () => {
  const tmp = tempDirPerTest('evernet-pipeline-');

  it('gives the same report in the runner’s process as on two device hosts and two broker shards, its commands a window late', async () => {
    const loaded = loadScenario(pipelined(tmp.join('p.yaml')));
    const one = await replay({ scenario: loaded, log: silentLogger(), hosts: 0, shards: 0 });
    const many = await replay({ scenario: loaded, log: silentLogger(), hosts: 2, shards: 2 });
    expect(JSON.stringify(many.report)).toBe(JSON.stringify(one.report));
    expect(one.report.messages.rejected).toBe(0);
    expect(one.report.tickets!.length).toBeGreaterThanOrEqual(3);
    // a remote fix is carried out a window (60 s) after it was sent; waited for window by window, at once
    const late = actions(one.report);
    expect(late.length).toBeGreaterThanOrEqual(2);
    for (const [sent, done] of late) expect(Date.parse(done!) - Date.parse(sent!)).toBe(60_000);
    const waited = await replay({ scenario: loadScenario(pipelined(tmp.join('w.yaml'), { pipeline: false })), log: silentLogger(), hosts: 0, shards: 0 });
    for (const [sent, done] of actions(waited.report)) expect(done).toBe(sent);
  }, 300_000);

  it('is refused with outage or bad-input drills, saying why', () => {
    const file = pipelined(tmp.join('o.yaml'), { outages: true });
    writeFileSync(file, readFileSync(file, 'utf8') + 'inject:\n  - { at: "2020-11-02T17:00:00+01:00", topic: evernet/v1/home-0001/home-0001-car/telemetry, payload: "{" }\n');
    expect(() => loadScenario(file)).toThrow(/EVN_ERR_SCENARIO[\s\S]*pipeline: false with outages: a pipelined replay takes no outage drills yet[\s\S]*pipeline: false with inject/);
  });

  it('is refused on a cluster, before anything starts', async () => {
    const loaded = loadScenario(pipelined(tmp.join('c.yaml')));
    const run = replay({ scenario: loaded, log: silentLogger(), cluster: { natsUrls: ['nats://127.0.0.1:1'], mqttUrls: ['mqtt://127.0.0.1:1'], partitions: 1, workers: 1 } as never });
    await expect(run).rejects.toThrow(/EVN_ERR_SCENARIO: a pipelined scenario \(pipeline: true\) does not replay on a cluster yet/);
  });
});
