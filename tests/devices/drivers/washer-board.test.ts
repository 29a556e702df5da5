/**
 * The washer board end to end through real Firmata bytes (software board, johnny-five), a real broker
 * on port 0 and real mqtt.js clients, on a VirtualClock: the user presses the arm button -> a flex
 * offer -> a `schedule-start` from a stand-in for the helpdesk -> command-result -> the board presses
 * the start relay at the planned time (the model washer starts) -> cycle started and finished from the
 * measured power. The stand-in restarts between the plan and the start; a board process restart with
 * its state file keeps the plan too.
 */
import { existsSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, VirtualClock, type DeviceEvent } from '../../../contracts/index.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import { jsonStateFile } from '../../../devices/drivers/state-file.js';
import { WasherCycleFile } from '../../../devices/drivers/washer-board.js';
import { silentLogger } from '../../../log/logger.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/until.js';
import { riggedBoards } from './rigged-board.js';

/** 20:30 in Berlin on Monday 2 November 2020 (CET, UTC+1) */
const T0 = Date.UTC(2020, 10, 2, 19, 30);
/** 07:00 Berlin the next morning */
const DONE_BY = Date.UTC(2020, 10, 3, 6);
/** the planned start the stand-in helpdesk sends: 02:00 Berlin */
const PLANNED = Date.UTC(2020, 10, 3, 1);
const COTTON_40_MS = 7290 * 1000;

function washerConfig(): BoardConfig {
  const c = loadBoardFile('boards/washer.yaml');
  return { ...c, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 60 }, flexOffer: { ...c.flexOffer!, timeZone: 'Europe/Berlin' } };
}

describe('washer board: flex offer, plan, start at the planned time', () => {
  const net = observedBroker();
  let clock = new VirtualClock(T0);
  const boards = riggedBoards(() => clock);
  const tmp = tempDirPerTest('evernet-washer-board-');

  const events = () =>
    net.seen
      .filter((m) => m.topic === deviceTopic('maria', 'board-washer', 'event'))
      .map((m) => {
        const r = decode(m.topic, m.payload);
        if (!r.ok) throw new Error(`the helpdesk would reject ${m.payload}: ${r.error.reason}`);
        return r.value.payload as DeviceEvent;
      });
  const offers = () => events().filter((e): e is Extract<DeviceEvent, { type: 'flex-offer' }> => e.type === 'flex-offer');
  const cycles = () => events().filter((e): e is Extract<DeviceEvent, { type: 'cycle' }> => e.type === 'cycle');
  const result = (id: string) => events().find((e) => e.type === 'command-result' && e.commandId === id);

  /** the helpdesk's side: a client of its own that sends one command and goes away */
  async function helpdeskSends(body: Record<string, unknown>): Promise<void> {
    const hd = await mqtt.connectAsync(net.url, { clientId: `helpdesk-${body.commandId as string}` });
    await hd.publishAsync(deviceTopic('maria', 'board-washer', 'command'), JSON.stringify({ v: 1, ts: clock.now(), seq: Number(String(body.commandId).replace(/\D/g, '')) || 1, ...body }), { qos: 1 });
    await hd.endAsync();
  }

  async function armAndPlan(w: Awaited<ReturnType<typeof boards.start>>) {
    await boards.pass(5000);
    expect(offers()).toEqual([]);
    await w.rig.pressArm(120);
    await boards.passUntil(() => offers().length === 1, 'the flex offer');
    const offer = offers()[0]!;
    await helpdeskSends({ commandId: 'c1', action: 'schedule-start', offerId: offer.offerId, startAt: PLANNED });
    await boards.passUntil(() => result('c1') !== undefined, 'the result of schedule-start');
    return offer;
  }

  it('offers the load when armed, takes the plan, and presses start at the planned time (the helpdesk restarted meanwhile)', async () => {
    clock = new VirtualClock(T0);
    const config = washerConfig();
    const w = await boards.start(config, net.url);
    const writes: Array<{ pin: number; value: number; at: number }> = [];
    w.board.on('digital-write', (x: { pin: number; value: number }) => writes.push({ ...x, at: clock.now() }));

    const offer = await armAndPlan(w);
    // the offer: from the moment it was armed to 07:00 Berlin, the programme's power sequence
    expect(offer).toMatchObject({ programme: 'cotton-40', latestEnd: DONE_BY });
    expect(offer.earliestStart).toBeGreaterThanOrEqual(T0 + 5000);
    expect(offer.earliestStart).toBeLessThan(T0 + 10_000);
    expect(offer.slots.reduce((s, x) => s + x.durationS, 0) * 1000).toBe(COTTON_40_MS);
    expect(result('c1')).toMatchObject({ ok: true });
    // the board says so in its telemetry: scheduled, done in (start - now) + the programme
    await boards.pass(60_000);
    expect(w.device.readings()).toMatchObject({ phase: 'scheduled' });
    // a schedule for an offer the board did not make is refused with a code
    await helpdeskSends({ commandId: 'c2', action: 'schedule-start', offerId: 'offer-1', startAt: PLANNED });
    await boards.passUntil(() => result('c2') !== undefined, 'the result of a wrong schedule');
    expect(result('c2')).toMatchObject({ ok: false, code: 'EVN_ERR_NO_SUCH_OFFER' });

    // five and a half hours pass; no helpdesk is connected now (each stand-in left after sending)
    await boards.pass(PLANNED - 60_000 - clock.now(), 600_000, 25);
    expect(writes.filter((x) => x.pin === 7 && x.value === 1)).toEqual([]);
    expect(cycles()).toEqual([]);
    // a restarted helpdesk subscribes again and hears the start
    const hd = await mqtt.connectAsync(net.url, { clientId: 'helpdesk-restarted' });
    const heard: string[] = [];
    hd.on('message', (_t, p) => heard.push(String(p)));
    await hd.subscribeAsync(deviceTopic('maria', 'board-washer', 'event'), { qos: 1 });

    await boards.pass(120_000, 1000, 25);
    const presses = writes.filter((x) => x.pin === 7 && x.value === 1);
    expect(presses).toHaveLength(1);
    // pressed at the planned time (to the agent's 1 s step, and one clock step of the test)
    expect(presses[0]!.at - PLANNED).toBeGreaterThanOrEqual(0);
    expect(presses[0]!.at - PLANNED).toBeLessThanOrEqual(2000);
    // the relay pressed the model washer's start button: the machine draws power, the board sees the cycle start
    expect(w.rig.commands()).toEqual(['start:ok']);
    await boards.passUntil(() => cycles().length === 1, 'cycle started');
    const started = events().find((e) => e.type === 'cycle')!;
    expect(started).toMatchObject({ state: 'started', programme: 'cotton-40' });
    // stamped at the press: the power that followed confirmed it
    expect(started.ts).toBe(PLANNED);
    await until(() => heard.some((p) => p.includes('"started"')), 3000, 'the restarted helpdesk to hear the start');

    // the programme runs two hours; then the power stays low for cycleEndAfterS: finished
    // (in 60 s steps, then 5 s steps around the end: the board averages its power samples in real time,
    // so a step's power shows a step or two later)
    await boards.pass(COTTON_40_MS - 180_000, 60_000, 30);
    await boards.pass(config.settings.cycleEndAfterS * 1000 + 360_000, 5000, 30);
    await boards.passUntil(() => cycles().length === 2, 'cycle finished');
    const finished = cycles()[1]!;
    expect(finished).toMatchObject({ state: 'finished', programme: 'cotton-40' });
    // stamped when the power fell: when the model washer finished, to two of the test's 5 s clock steps
    const modelFinished = (w.rig.modelState() as { finishedAt: number }).finishedAt;
    expect(modelFinished - PLANNED).toBeGreaterThanOrEqual(COTTON_40_MS);
    expect(Math.abs(finished.ts - modelFinished)).toBeLessThanOrEqual(11_000);
    expect(writes.filter((x) => x.pin === 7 && x.value === 1)).toHaveLength(1);
    await hd.endAsync();
  });

  it('keeps the plan across a restart of the board process (state file), and presses start then', async () => {
    clock = new VirtualClock(T0);
    const config = washerConfig();
    const file = tmp.join('maria-board-washer.washer.json');
    const keeper = () => jsonStateFile(file, WasherCycleFile, silentLogger());
    const first = await boards.start(config, net.url, { washerState: keeper() });
    const offer = await armAndPlan(first);
    expect(result('c1')).toMatchObject({ ok: true });
    await boards.stop(first);

    // the process is gone for hours; a new one starts on the same board with the same state file
    clock.set(PLANNED - 30_000);
    const writes: Array<{ pin: number; value: number; at: number }> = [];
    first.board.on('digital-write', (x: { pin: number; value: number }) => writes.push({ ...x, at: clock.now() }));
    const second = await boards.start(config, net.url, { board: first.board, rig: first.rig, washerState: keeper() });
    expect(second.device.washer()).toMatchObject({ offer: { offerId: offer.offerId }, startAt: PLANNED });
    await boards.pass(60_000, 1000, 25);
    const presses = writes.filter((x) => x.pin === 7 && x.value === 1);
    expect(presses).toHaveLength(1);
    expect(presses[0]!.at - PLANNED).toBeLessThanOrEqual(2000);
    await boards.passUntil(() => cycles().length === 1, 'cycle started after the restart');
    expect(cycles()[0]!.ts).toBe(PLANNED);
  });

  it('a board restarted with an open offer that got no plan sends it again (the helpdesk may never have had it)', async () => {
    clock = new VirtualClock(T0);
    const config = washerConfig();
    const file = tmp.join('maria-board-washer.washer.json');
    const keeper = () => jsonStateFile(file, WasherCycleFile, silentLogger());
    const first = await boards.start(config, net.url, { washerState: keeper() });
    await boards.pass(5000);
    await first.rig.pressArm(120);
    await boards.passUntil(() => offers().length === 1, 'the flex offer');
    await boards.stop(first);
    clock.set(clock.now() + 600_000);
    await boards.start(config, net.url, { board: first.board, rig: first.rig, washerState: keeper() });
    await until(() => offers().length === 2, 3000, 'the offer sent again');
    const [a, b] = offers();
    expect(b).toEqual({ ...a, ts: b!.ts, seq: b!.seq });
    expect(b!.ts).toBeGreaterThanOrEqual(a!.ts + 600_000);
  });

  it('an offer that gets no plan is sent again after 1, 2, 4 ... minutes, and no more once the plan came', async () => {
    clock = new VirtualClock(T0);
    const w = await boards.start(washerConfig(), net.url);
    await boards.pass(5000);
    await w.rig.pressArm(120);
    await boards.passUntil(() => offers().length === 1, 'the flex offer');
    const first = offers()[0]!;
    // nobody answers for 7.5 minutes: sent again at +1, +3 and +7 minutes (the same offer, new seq)
    await boards.pass(450_000, 5000, 25);
    const again = offers();
    expect(again).toHaveLength(4);
    for (const o of again.slice(1)) expect(o).toEqual({ ...first, ts: o.ts, seq: o.seq });
    const gaps = again.slice(1).map((o, i) => Math.round((o.ts - again[i]!.ts) / 60_000));
    expect(gaps).toEqual([1, 2, 4]);
    await helpdeskSends({ commandId: 'c9', action: 'schedule-start', offerId: first.offerId, startAt: PLANNED });
    await boards.passUntil(() => result('c9') !== undefined, 'the result of schedule-start');
    await boards.pass(1_200_000, 60_000, 25);
    expect(offers()).toHaveLength(4);
  });

  it('with a delay knob instead of doneBy: done within the hours the knob is turned to', async () => {
    clock = new VirtualClock(T0);
    const base = washerConfig();
    const config: BoardConfig = { ...base, flexOffer: { ...base.flexOffer!, doneByMinute: null, delay: { channel: 2, maxHours: 24, stepHours: 1 } } };
    const w = await boards.start(config, net.url);
    // a quarter of the knob's travel: 6 hours
    w.rig.setKnob(0.25);
    await boards.pass(3000);
    await w.rig.pressArm(120);
    await boards.passUntil(() => offers().length === 1, 'the flex offer');
    const offer = offers()[0]!;
    expect(offer.latestEnd - offer.earliestStart).toBe(6 * 3_600_000);
    // turned to 0: as soon as possible (the programme's own length)
    w.rig.setKnob(0);
    await boards.pass(3000);
    await w.rig.pressArm(120);
    await boards.passUntil(() => offers().length === 2, 'the second offer');
    const now = offers()[1]!;
    expect(now.latestEnd - now.earliestStart).toBe(COTTON_40_MS);
  });

  it('a damaged state file is set aside with a code; the board starts without a plan', async () => {
    const file = tmp.join('w.washer.json');
    writeFileSync(file, '{"offer": 12');
    const { log, lines } = memoryLog('warn');
    expect(jsonStateFile(file, WasherCycleFile, log).load()).toBeNull();
    expect(existsSync(`${file}.bad`)).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ code: 'EVN_ERR_BOARD_STATE', msg: expect.stringMatching(/damaged: set aside/) })]);
  });
});
