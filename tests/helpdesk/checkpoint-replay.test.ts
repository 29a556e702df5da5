/**
 * The invariants of a helpdesk's checkpoints (docs/scale.md#checkpoints), on real replays: the day in
 * 2020 (seed 7) and twelve homes reporting by exception with outages (tests/fixtures/fleet/engine-12.yaml).
 * Each is replayed once for real (devices, broker, mqtt.js) with a recorder beside the helpdesk; the
 * recording is then played into fresh helpdesks on SQLite files (tests/helpers/helpdesk-recording.ts).
 *
 * a. Taking checkpoints changes nothing: a helpdesk checkpointed after every window (each through JSON)
 *    publishes the same messages and ends with the same database and state as one never checkpointed
 *    (the embedded replay never checkpoints, a cluster worker does: their reports must be equal).
 * b. A helpdesk restored from a checkpoint, on a copy of the database made at that moment and fed the
 *    messages after it, publishes exactly what the uninterrupted one published after it (topics and
 *    payload bytes, in order), and ends with the same tables, row for row, and the same state.
 * c. The restore reads the checkpoint through JSON.parse(JSON.stringify(cp)), and a helpdesk restored
 *    from one checkpoints exactly that one again.
 * d. Sizes: bytes of a checkpoint per device, printed as JSON for docs/scale.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCheckpoint, type HelpdeskCheckpoint, type HelpdeskState } from '../../helpdesk/checkpoint.js';
import { DETECTORS } from '../../helpdesk/detect/detect.js';
import type { Helpdesk } from '../../helpdesk/service.js';
import { copyDb, dumpDb, play, record, type PlayPoint, type Played, type Recording } from '../helpers/helpdesk-recording.js';

/** a point chosen while playing: the checkpoint, a copy of the database then, and how much was published by then */
interface Taken {
  name: string;
  point: PlayPoint;
  checkpoint: HelpdeskCheckpoint;
  db: string;
  publishedBefore: number;
}

/** names the points this one is (each name is taken at its first match); mid-window points by message */
type Chooser = (at: PlayPoint, s: HelpdeskState, h: Helpdesk, w: number, chosen: ReadonlyMap<string, Taken>) => string[];

/** a detector's state on a device, by incident kind */
function detectorState(s: HelpdeskState, deviceKey: string, kind: string): { since: number | null; firing: boolean } | undefined {
  const d = s.core.detection.devices.find((x) => x.key === deviceKey);
  if (!d) return undefined;
  const j = d.run.findIndex((i) => DETECTORS[d.coverage.kind][i]!.kind === kind);
  return j < 0 ? undefined : (d.states[j] as { since: number | null; firing: boolean });
}

const HOUR = 3_600_000;

interface Case {
  name: string;
  file: string;
  seed: number;
  /** named checkpoint points the case must reach */
  points: string[];
  choose: Chooser;
  /** a window's messages are also offered to choose, one by one, after this point was taken (mid-window points) */
  midAfter: string;
}

const CASES: Case[] = [
  {
    name: 'the day in 2020',
    file: 'scenarios/day-in-2020.yaml',
    seed: 7,
    points: ['alternator building up', 'messages not yet drained', 'ticket opened, fix pending', 'washer load waiting to start'],
    midAfter: 'alternator building up',
    choose(at, s, h, w, chosen) {
      if (at.messages !== undefined) {
        const after = chosen.get('alternator building up');
        return after && at.window > after.point.window && s.ingest.buffer.length >= 5 ? ['messages not yet drained'] : [];
      }
      const car = detectorState(s, 'maria/car', 'battery-discharge');
      const tickets = h.tickets().filter((t) => t.kind === 'battery-discharge');
      const waiting = [...s.core.loads.current.values()].some((l) => l.plannedStart !== null && l.actualStart === null && l.plannedStart - w < 2 * HOUR);
      return [
        ...(car && car.since !== null && !car.firing && w - car.since >= 20_000 && !tickets.length ? ['alternator building up'] : []),
        ...(tickets.length && s.core.incidents.actions.size > 0 ? ['ticket opened, fix pending'] : []),
        ...(waiting ? ['washer load waiting to start'] : []),
      ];
    },
  },
  {
    name: 'twelve homes reporting by exception, with outages',
    file: 'tests/fixtures/fleet/engine-12.yaml',
    seed: 12,
    points: ['a condition held by exception', 'messages not yet drained', 'a device offline, not yet silent', 'a fix pending', 'halfway'],
    midAfter: 'a condition held by exception',
    choose(at, s, _h, w, chosen) {
      if (at.messages !== undefined) {
        const after = chosen.get('a condition held by exception');
        return after && at.window > after.point.window && s.ingest.buffer.length >= 2 ? ['messages not yet drained'] : [];
      }
      return [
        ...(s.core.detection.armed.length > 0 ? ['a condition held by exception'] : []),
        ...([...s.core.silence.devices.values()].some((d) => d.offlineSince !== null && !d.firing) ? ['a device offline, not yet silent'] : []),
        ...(s.core.incidents.actions.size > 0 ? ['a fix pending'] : []),
        ...(w >= Date.parse('2020-11-02T17:00:00+01:00') ? ['halfway'] : []),
      ];
    },
  },
];

describe.each(CASES)('checkpoints of a helpdesk: $name', (c) => {
  let dir: string;
  let rec: Recording;
  let never: Played;
  let every: Played;
  const taken = new Map<string, Taken>();
  const sizes: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'evn-checkpoint-'));
    rec = await record(c.file, c.seed);
    never = await play(rec, { db: path.join(dir, 'never.db') });
    const db = path.join(dir, 'every.db');
    every = await play(rec, {
      db,
      everyMessage: true,
      at: async (point, h, published) => {
        // after a message: only where a mid-window point may be chosen (a checkpoint of every message would be slow)
        if (point.messages !== undefined && (!taken.has(c.midAfter) || taken.has('messages not yet drained'))) return;
        const cp = h.checkpoint();
        const json = JSON.stringify(cp);
        if (point.messages === undefined) sizes.push(json.length);
        if (taken.size === c.points.length) return;
        const s = fromCheckpoint(JSON.parse(json) as HelpdeskCheckpoint);
        for (const name of c.choose(point, s, h, rec.windows[point.window]!.w, taken)) {
          if (taken.has(name)) continue;
          const copy = path.join(dir, `at-${taken.size}.db`);
          await copyDb(db, copy);
          taken.set(name, { name, point, checkpoint: cp, db: copy, publishedBefore: published });
        }
      },
    });
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plays the recording as the real replay ran: the same messages published', () => {
    expect(never.published.length).toBeGreaterThan(0);
    expect(never.published).toEqual(rec.published);
  });

  it('a. decides the same whether checkpointed after every window or never: messages, database, state', () => {
    expect(sizes.length).toBe(rec.windows.length);
    expect(every.published).toEqual(never.published);
    // two databases made apart: each has its own random key of pseudonyms (a restore's copy has the same one)
    expect(dumpDb(path.join(dir, 'every.db'), ['customer_secret'])).toEqual(dumpDb(path.join(dir, 'never.db'), ['customer_secret']));
    expect(every.final).toEqual(never.final);
  });

  it('reaches every point the restores start from', () => {
    expect([...taken.keys()].sort()).toEqual([...c.points].sort());
  });

  it.each(c.points)('b, c. restored at "%s" on a copy of the database, it goes on exactly as the uninterrupted one', async (name) => {
    const t = taken.get(name);
    expect(t, `the point "${name}" was not reached`).toBeDefined();
    let first: HelpdeskCheckpoint | undefined;
    const before = dumpDb(t!.db);
    const restored = await play(rec, {
      db: t!.db,
      from: { point: t!.point, checkpoint: t!.checkpoint },
      // right after the restore (through JSON), before anything more: the same checkpoint again
      onStart: (h) => void (first = h.checkpoint()),
    });
    expect(first).toEqual(t!.checkpoint);
    expect(restored.published).toEqual(every.published.slice(t!.publishedBefore));
    const after = dumpDb(t!.db);
    expect(after).toEqual(dumpDb(path.join(dir, 'every.db')));
    // not vacuous: the rest of the run publishes, or changes more than telemetry (a washer's load starts and finishes)
    const decided = Object.keys(after).filter((k) => !k.startsWith('telemetry_') && JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    expect(restored.published.length + decided.length, 'the rest of the run decides something').toBeGreaterThan(0);
    expect(restored.final).toEqual(every.final);
  }, 300_000);

  it('d. measures a checkpoint per device', () => {
    const devices = rec.loaded.devices.length;
    const perDevice = (n: number): number => Math.round(n / devices);
    const figures = {
      scenario: c.name,
      devices,
      checkpoints: sizes.length,
      bytesPerDevice: { mean: perDevice(sizes.reduce((a, b) => a + b, 0) / sizes.length), max: perDevice(Math.max(...sizes)), last: perDevice(sizes[sizes.length - 1]!) },
      atPoints: Object.fromEntries([...taken.values()].map((t) => [t.name, perDevice(JSON.stringify(t.checkpoint).length)])),
    };
    console.log(JSON.stringify({ checkpointSizes: figures }));
    // a bound that catches a runaway (a buffer never emptied), far above what is measured
    expect(figures.bytesPerDevice.max).toBeLessThan(1_000_000);
  });
});
