/**
 * A board with end-to-end acknowledgements (`evernet board --acks`, for a helpdesk on a NATS cluster):
 * the software Firmata board, real Firmata bytes, the board driver and its agent, a real aedes broker on
 * port 0, and the partition's real gate (cluster/acks.ts) in the helpdesk's place. Its readings wait in
 * its outbox until the partition confirms them, and what the stream lost is sent again: the partition
 * gets every reading once, in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../../broker/server.js';
import type { Clock } from '../../../contracts/index.js';
import { createBoardDevice, type BoardDevice, type BoardDeviceOptions } from '../../../devices/drivers/board-device.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import { plugIn } from '../../../devices/simulator/plug-in.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { silentLogger } from '../../../log/logger.js';
import { ackPartition, type AckPartition } from '../../helpers/ack-partition.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { UNCONFIRMED_WARN_PERIODS } from '../../../devices/agent.js';
import { until } from '../../helpers/until.js';

const clock: Clock = { now: () => Date.now() };

/** the shipped fridge board file, sped up: sample every 20 ms, publish 5 times a second */
function fastFridge(): BoardConfig {
  const c = loadBoardFile('boards/fridge.yaml');
  return { ...c, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 0.2 } };
}

describe('a board with end-to-end acknowledgements', () => {
  let broker: RunningBroker;
  let part: AckPartition;
  let device: BoardDevice | null = null;
  let board: SoftwareBoard | null = null;

  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
    part = await ackPartition(broker.url, Date.now());
  });
  afterEach(async () => {
    await device?.stop();
    device = null;
    board?.unplug();
    board = null;
    await part.stop();
    await broker.stop();
  });

  function start(extra: Partial<BoardDeviceOptions>): BoardDevice {
    const b = (board = new SoftwareBoard());
    device = createBoardDevice({ config: fastFridge(), connect: async () => plugIn(b), port: 'software board', brokerUrl: broker.url, clock, log: silentLogger(), tickMs: 50, ...extra });
    return device;
  }

  it('sends again what the stream lost: the partition gets every reading once, in order, with no gap', async () => {
    part.lose.set('telemetry', 2);
    const d = start({ acks: { resendAfterMs: 300 } });
    await d.start();
    await until(() => part.data.length >= 8, 15_000, () => `the partition received ${part.data.length} readings; outbox ${JSON.stringify(d.agent.outboxStats())}`);
    expect(part.lose.get('telemetry')).toBe(0);
    const seqs = part.data.map((x) => x.seq);
    expect(seqs.slice(1).every((s, i) => s === seqs[i]! + 1), `seqs ${seqs.join(',')}`).toBe(true);
    expect(d.agent.outboxStats().resent).toBeGreaterThan(0);
    expect(part.received.filter((c) => c === 'announce')).toHaveLength(1);
  });

  it('without confirmations keeps its readings, and says so once: only what it says at connect reaches the partition', async () => {
    part.confirms = false;
    const { log, lines } = memoryLog('warn');
    const d = start({ acks: { resendAfterMs: 100 }, log });
    await d.start();
    await until(() => d.stats().telemetry >= 3, 10_000, 'three readings taken');
    await new Promise((r) => setTimeout(r, (UNCONFIRMED_WARN_PERIODS + 3) * 100));
    expect(part.data).toEqual([]);
    expect(part.received.slice(0, 2).sort()).toEqual(['announce', 'availability']);
    expect(d.agent.outboxStats()).toMatchObject({ held: true });
    // a board with --acks on a helpdesk that does not confirm (not a cluster's worker) is told why, once
    expect(lines.filter((l) => l.code === 'EVN_ERR_NOT_CONFIRMED').map((l) => l.msg)).toEqual([expect.stringMatching(/evernet helpdesk --cluster/)]);
    // confirmed at last: everything it kept arrives, in order
    part.confirms = true;
    await until(() => part.data.length >= 3 && d.agent.outboxStats().queued === 0, 10_000, () => `outbox ${JSON.stringify(d.agent.outboxStats())}`);
    const seqs = part.data.map((x) => x.seq);
    expect(seqs.slice(1).every((s, i) => s === seqs[i]! + 1), `seqs ${seqs.join(',')}`).toBe(true);
  });
});
