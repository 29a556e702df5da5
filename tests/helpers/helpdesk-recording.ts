/**
 * A replay's helpdesk side, recorded once and played again into fresh helpdesks (checkpoint tests).
 *
 * record(): a real replay (scenarios/runner.ts: devices, a real aedes broker, real mqtt.js) with a
 * second MQTT client subscribed beside the helpdesk: every message the helpdesk receives (its filters,
 * QoS 1) and every one it publishes, in order, and at each window the helpdesk's advance(w), its clock
 * and how many messages it had received by then (the runner's barrier makes that exact). The recording
 * is checked against the helpdesk: as many messages as it received.
 *
 * play(): a helpdesk stack as the runner builds it, on a SQLite file, whose transport plays the
 * recording (a recorded source, not a network mock: the stores are real SQLite). Each window's messages
 * are delivered at that window's clock, then the helpdesk advances. Checkpoints can be taken (and the
 * database copied with SQLite's online backup) at any point between advances; a play can start from
 * such a checkpoint and copy.
 */
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { HELPDESK_FILTERS, topicMatches } from '../../contracts/index.js';
import { VirtualClock } from '../../contracts/clock.js';
import type { HelpdeskCheckpoint } from '../../helpdesk/checkpoint.js';
import type { Helpdesk } from '../../helpdesk/service.js';
import type { HelpdeskTransport } from '../../helpdesk/transport/transport.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { openSqlite } from '../../storage/sqlite.js';
import { createBroker } from '../../broker/server.js';
import { customerSideOf } from '../../scenarios/customer-side.js';
import { directoryOf } from '../../scenarios/directory.js';
import { loadScenario, type LoadedScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';

export interface Published {
  topic: string;
  payload: string;
}

/** one window: the messages the helpdesk received in it (at the window's clock `now`), then advance(w) */
export interface RecordedWindow {
  w: number;
  now: number;
  messages: Array<{ topic: string; payload: Buffer }>;
}

export interface Recording {
  loaded: LoadedScenario;
  seed: number;
  windows: RecordedWindow[];
  /** what the helpdesk of the real replay published, in order */
  published: Published[];
}

/** the topics the helpdesk publishes on: commands to devices, contacts, ticket updates, answers to apps */
const OUT = ['evernet/v1/+/+/command', 'evernet/v1/+/_helpdesk/+'];

export async function record(file: string, seed: number): Promise<Recording> {
  const loaded = loadScenario(file);
  const log = pino({ level: 'silent' });
  const broker = await createBroker({ port: 0, log }).start();
  const inbound: Array<{ topic: string; payload: Buffer }> = [];
  const published: Published[] = [];
  const client: MqttClient = await mqtt.connectAsync(broker.url, { clientId: 'evernet-checkpoint-recorder', clean: true });
  client.on('message', (topic, payload) => {
    if (HELPDESK_FILTERS.some((f) => topicMatches(f, topic))) inbound.push({ topic, payload: Buffer.from(payload) });
    if (OUT.some((f) => topicMatches(f, topic))) published.push({ topic, payload: payload.toString() });
  });
  await client.subscribeAsync([...new Set([...HELPDESK_FILTERS, ...OUT])], { qos: 1 });
  const marks: Array<{ w: number; now: number; received: number }> = [];
  let helpdesk: Helpdesk | null = null;
  const clock = new VirtualClock(loaded.startMs);
  try {
    await replay({
      scenario: loaded, log, seed, clock, brokerUrl: broker.url, hosts: 0, shards: 0,
      onHelpdesk: (h) => {
        helpdesk = h;
        const advance = h.advance.bind(h);
        // the runner calls the helpdesk's advance at each window's end: noted with what it had received
        h.advance = (w: number): void => {
          marks.push({ w, now: clock.now(), received: h.stats().received });
          advance(w);
        };
      },
    });
    const received = (helpdesk as Helpdesk | null)?.stats().received ?? 0;
    // the recorder's copy catches up: the same messages as the helpdesk received
    for (let i = 0; i < 200 && inbound.length < received; i++) await new Promise((r) => setTimeout(r, 25));
    if (inbound.length !== received) throw new Error(`recorded ${inbound.length} messages, the helpdesk received ${received}`);
  } finally {
    await client.endAsync();
    await broker.stop();
  }
  let at = 0;
  const windows = marks.map((m) => {
    const messages = inbound.slice(at, m.received);
    at = m.received;
    return { w: m.w, now: m.now, messages };
  });
  return { loaded, seed, windows, published };
}

/** a point between advances: after window `window`'s first `messages` messages (all of them, then its advance too, when undefined) */
export interface PlayPoint {
  window: number;
  messages?: number;
}

export interface PlayOptions {
  /** the SQLite file the stores open (a copy of the one a checkpoint was taken on, to restore) */
  db: string;
  /** go on from here: the checkpoint taken at `point`, the db a copy made then */
  from?: { point: PlayPoint; checkpoint: HelpdeskCheckpoint };
  /** called at every point between advances (after each window's advance; with `everyMessage`, after each message too) */
  at?: (point: PlayPoint, h: Helpdesk, published: number) => void | Promise<void>;
  everyMessage?: boolean;
  /** called once the helpdesk has started, before any message */
  onStart?: (h: Helpdesk) => void;
}

export interface Played {
  published: Published[];
  /** the helpdesk's checkpoint after the last window (before stop), its stats, offers and recipe answers */
  final: { checkpoint: HelpdeskCheckpoint; stats: ReturnType<Helpdesk['stats']>; offers: ReturnType<Helpdesk['offers']>; shopping: ReturnType<Helpdesk['shopping']> };
}

/** the stack the runner builds for a replay (scenarios/runner.ts), with the helpdesk's transport given */
export async function playStack(rec: Recording, db: string, clock: VirtualClock, transport: HelpdeskTransport, restore?: HelpdeskCheckpoint): Promise<HelpdeskStack> {
  const s = rec.loaded.scenario;
  return startHelpdeskStack({
    directory: directoryOf(rec.loaded), clock, log: pino({ level: 'silent' }), tariff: loadTariff(rec.loaded.tariffPath), db,
    helpdesk: { clientId: `evernet-helpdesk-${s.name}`, cleanSession: true, ...customerSideOf(s.customers, rec.loaded.startMs), transport, ...(restore ? { restore } : {}) },
    telemetry: { flushEveryMs: 5 * 60_000 },
  });
}

export async function play(rec: Recording, o: PlayOptions): Promise<Played> {
  const published: Published[] = [];
  let deliver: ((topic: string, payload: Uint8Array) => void) | null = null;
  const transport: HelpdeskTransport = {
    start: async (onMessage) => void (deliver = onMessage),
    publish: (topic, payload) => void published.push({ topic, payload: typeof payload === 'string' ? payload : Buffer.from(payload).toString() }),
    stop: async () => undefined,
    abort: () => undefined,
  };
  const start = o.from ? rec.windows[o.from.point.window]! : null;
  const clock = new VirtualClock(start ? start.now : rec.loaded.startMs);
  // a restored helpdesk goes on from the JSON of its checkpoint, as a worker reads it from its database
  const stack = await playStack(rec, o.db, clock, transport, o.from ? (JSON.parse(JSON.stringify(o.from.checkpoint)) as HelpdeskCheckpoint) : undefined);
  const h = stack.helpdesk;
  o.onStart?.(h);
  try {
    const first = o.from ? o.from.point.window + (o.from.point.messages === undefined ? 1 : 0) : 0;
    for (let i = first; i < rec.windows.length; i++) {
      const win = rec.windows[i]!;
      clock.set(win.now);
      const skip = o.from && i === o.from.point.window ? (o.from.point.messages ?? 0) : 0;
      for (let j = skip; j < win.messages.length; j++) {
        deliver!(win.messages[j]!.topic, win.messages[j]!.payload);
        if (o.everyMessage) await o.at?.({ window: i, messages: j + 1 }, h, published.length);
      }
      h.advance(win.w);
      await o.at?.({ window: i }, h, published.length);
      // a day is thousands of windows: let the event loop breathe (the test runner's own messages)
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    const final = { checkpoint: h.checkpoint(), stats: h.stats(), offers: h.offers(), shopping: h.shopping() };
    return { published, final };
  } finally {
    await stack.stop();
  }
}

/** a copy of a SQLite database in use (SQLite's online backup: the pages as committed now) */
export async function copyDb(from: string, to: string): Promise<void> {
  const db = openSqlite({ path: from });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
}

/** every table of a database (but `except`), each row as JSON, rows sorted: two databases compared whole */
export function dumpDb(file: string, except: readonly string[] = []): Record<string, string[]> {
  const db = openSqlite({ path: file });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Object.fromEntries(
      tables.filter(({ name }) => !except.includes(name)).map(({ name }) => [
        name,
        db
          .prepare(`SELECT * FROM "${name}"`)
          .all()
          .map((r) => JSON.stringify(r))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}
