/**
 * A helpdesk's checkpoint as data (helpdesk/checkpoint.ts, helpdesk/plain.ts): what JSON cannot hold
 * comes back exactly through JSON.stringify/parse, state without a plain form is refused, and a
 * checkpoint of another version, or one that is not a checkpoint, is refused by createHelpdesk with its
 * code before anything starts. The replays that hold the invariants are in checkpoint-replay.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../contracts/clock.js';
import { encode, serviceTopic, stamp } from '../../contracts/index.js';
import { copyDb } from '../helpers/helpdesk-recording.js';
import { CHECKPOINT_VERSION, fromCheckpoint, type HelpdeskCheckpoint } from '../../helpdesk/checkpoint.js';
import { GeneralAnomalyDetector } from '../../helpdesk/detect/general/general.js';
import { CHECKPOINT_ERR, fromPlain, toPlain } from '../../helpdesk/plain.js';
import type { HelpdeskTransport } from '../../helpdesk/transport/transport.js';
import { silentLogger } from '../../log/logger.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import { directoryOf } from '../../scenarios/directory.js';
import { loadScenario } from '../../scenarios/load.js';

const roundtrip = (v: unknown): unknown => fromPlain(JSON.parse(JSON.stringify(toPlain(v))));

/** a transport that delivers nothing and keeps what is published (topics) */
const quiet = (published: string[] = []): HelpdeskTransport => ({ start: async () => undefined, publish: (topic) => void published.push(topic), stop: async () => undefined, abort: () => undefined });

describe('a checkpoint as plain data', () => {
  it('brings back through JSON what JSON cannot hold: -Infinity, NaN, -0, undefined, maps, sets, typed arrays, $ keys', () => {
    const v = {
      lo: Infinity, hi: -Infinity, nan: Number.NaN, negZero: -0, gone: undefined, list: [1, undefined, -Infinity],
      map: new Map<unknown, unknown>([['a', { x: new Set([3, 1, 2]) }], [7, null]]),
      f64: Float64Array.from([1.5, Number.NaN, -0, 1e-300]), i32: Int32Array.from([-2147483648, 0, 5]),
      $tag: { $n: 'not a number tag' }, nested: { deep: [{ m: new Map([['k', -Infinity]]) }] },
    };
    const back = roundtrip(v) as typeof v;
    expect(back).toStrictEqual(v);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(Object.is(back.f64[2], -0)).toBe(true);
    expect('gone' in back).toBe(true);
    expect([...back.map.keys()]).toEqual(['a', 7]);
    expect([...(back.map.get('a') as { x: Set<number> }).x]).toEqual([3, 1, 2]);
  });

  it('refuses state without a plain form (a class instance), naming where it is', () => {
    const attempt = () => toPlain({ detectors: [new GeneralAnomalyDetector()] });
    expect(attempt).toThrow(expect.objectContaining({ code: CHECKPOINT_ERR.INVALID }));
    expect(attempt).toThrow(/checkpoint\.detectors\[0\] is a GeneralAnomalyDetector/);
  });

  it('gives the general detector a snapshot that goes on exactly as the detector it was taken of', () => {
    const a = new GeneralAnomalyDetector({ learn: 20, rangeAfter: 5 });
    const series = Array.from({ length: 400 }, (_, i) => Math.sin(i / 7) * 3 + (i > 300 ? 5 : 0) + ((i * 7919) % 13) / 50);
    for (const x of series.slice(0, 200)) a.update(x);
    const b = new GeneralAnomalyDetector({ learn: 20, rangeAfter: 5 });
    b.restore(roundtrip(a.snapshot()) as ReturnType<typeof a.snapshot>);
    const rest = series.slice(200);
    const scores = rest.map((x) => a.update(x));
    expect(rest.map((x) => b.update(x))).toEqual(scores);
    // the level shift at 300 is scored: the comparison is not of zeros only
    expect(Math.max(...scores)).toBeGreaterThan(0.5);
  });
});

describe('restoring a checkpoint', () => {
  const start = async (restore: HelpdeskCheckpoint) => startHelpdeskStack({ clock: new VirtualClock(0), log: silentLogger(), helpdesk: { transport: quiet(), restore } });

  it('goes on from a checkpoint as the helpdesk was: the restored one checkpoints the same, through JSON', async () => {
    const stack = await startHelpdeskStack({ clock: new VirtualClock(1_600_000_000_000), log: silentLogger(), helpdesk: { transport: quiet() } });
    const cp = stack.helpdesk.checkpoint();
    await stack.stop();
    expect(cp.version).toBe(CHECKPOINT_VERSION);
    // no advance yet: JSON has no -Infinity, so the watermark says "none" as the lowest number
    expect(cp.watermark).toBe(-Number.MAX_VALUE);
    const again = await start(JSON.parse(JSON.stringify(cp)) as HelpdeskCheckpoint);
    expect(again.helpdesk.checkpoint()).toEqual(cp);
    await again.stop();
  });

  it('resumes nothing at start, where a helpdesk started anew on the same database resumes a stalled ticket', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evn-checkpoint-'));
    try {
      const db = path.join(dir, 'helpdesk.db');
      const at = Date.parse('2020-11-02T17:41:00Z');
      const base = { clock: new VirtualClock(at), log: silentLogger(), db, directory: directoryOf(loadScenario('scenarios/day-in-2020.yaml')) };
      const first = await startHelpdeskStack({ ...base, helpdesk: { transport: quiet() } });
      // a ticket opened but not yet followed up (a process that died between opening and contacting): resume() contacts the customer
      const opened = life.open({ incidentKey: 'maria/car/battery-discharge/1', deviceId: 'car', customerId: 'maria', kind: 'battery-discharge', severity: 'high', at, evidence: { expected: 'a', observed: 'b' }, proactive: true, by: 'helpdesk' });
      first.store.openIdempotent(opened.ok ? opened.ticket : expect.fail('not opened'));
      const cp = first.helpdesk.checkpoint();
      await first.stop();
      const restoredSent: string[] = [];
      const restored = await startHelpdeskStack({ ...base, helpdesk: { transport: quiet(restoredSent), restore: cp } });
      await restored.stop();
      expect(restoredSent).toEqual([]);
      const anewSent: string[] = [];
      const anew = await startHelpdeskStack({ ...base, helpdesk: { transport: quiet(anewSent) } });
      await anew.stop();
      expect(anewSent).toContain('evernet/v1/maria/_helpdesk/contact');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries what a window decided while it waits for the database: the restored helpdesk sends it first, the same bytes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evn-checkpoint-'));
    try {
      const loaded = loadScenario('scenarios/day-in-2020.yaml');
      const req = loaded.scenario.requests[0]!;
      const at = Date.parse(req.at);
      const base = { clock: new VirtualClock(at), log: silentLogger(), directory: directoryOf(loaded) };
      // a database whose commits wait (PostgreSQL's mirror): the answer is decided, not yet sent
      const commits: Array<() => void> = [];
      const sentA: string[] = [];
      let deliver: ((topic: string, payload: Uint8Array) => void) | null = null;
      const a = await startHelpdeskStack({
        ...base, db: path.join(dir, 'a.db'),
        helpdesk: {
          durable: () => new Promise<void>((r) => commits.push(r)),
          transport: { start: async (on) => void (deliver = on), publish: (t, p) => void sentA.push(`${t} ${String(p)}`), stop: async () => undefined, abort: () => undefined },
        },
      });
      const topic = serviceTopic(req.customer, 'request');
      deliver!(topic, Buffer.from(encode(topic, stamp({ type: 'recipe', requestId: 'r-1', recipe: req.recipe, location: req.location }, at, 1))));
      a.helpdesk.advance(at);
      expect(sentA).toEqual([]);
      const cp = a.helpdesk.checkpoint();
      expect(fromCheckpoint(cp).service.unsent.map((m) => m.topic)).toEqual([serviceTopic(req.customer, 'answer')]);
      await copyDb(path.join(dir, 'a.db'), path.join(dir, 'b.db'));
      for (const commit of commits.splice(0)) commit();
      await a.stop();
      expect(sentA).toHaveLength(1);
      const sentB: string[] = [];
      const b = await startHelpdeskStack({
        ...base, db: path.join(dir, 'b.db'),
        helpdesk: { restore: JSON.parse(JSON.stringify(cp)) as HelpdeskCheckpoint, transport: { ...quiet(), publish: (t, p) => void sentB.push(`${t} ${String(p)}`) } },
      });
      await b.stop();
      expect(sentB).toEqual(sentA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint of another version with EVN_ERR_CHECKPOINT_VERSION, before the helpdesk starts', async () => {
    const stack = await startHelpdeskStack({ clock: new VirtualClock(0), log: silentLogger(), helpdesk: { transport: quiet() } });
    const cp = stack.helpdesk.checkpoint();
    await stack.stop();
    await expect(start({ ...cp, version: CHECKPOINT_VERSION + 1 })).rejects.toMatchObject({ code: CHECKPOINT_ERR.VERSION, message: expect.stringContaining(`reads version ${CHECKPOINT_VERSION} only`) });
  });

  it('refuses what is not a checkpoint with EVN_ERR_CHECKPOINT_INVALID: a missing part, a malformed tag', async () => {
    await expect(start({ version: CHECKPOINT_VERSION, watermark: 0, state: { service: { watermark: 0, published: 0, started: true, unsent: [] } } })).rejects.toMatchObject({ code: CHECKPOINT_ERR.INVALID, message: expect.stringContaining('lacks ingest, outbox, core') });
    expect(() => fromCheckpoint({ version: CHECKPOINT_VERSION, watermark: 0, state: { service: { $map: 'x' } } })).toThrow(expect.objectContaining({ code: CHECKPOINT_ERR.INVALID }));
  });
});
