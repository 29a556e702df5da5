/**
 * A board-backed device: an Arduino (or the software board) described by a board file, published
 * through the same device agent as the simulated kinds: same topics, same payload validation, the
 * same last will. The agent is given a "model" whose readings come from the board and whose
 * commands drive its relays. It announces what the board really measures (announce.ts) and sends the
 * board file's extra sensors in telemetry `extra`.
 *
 * What the board derives, it derives in event time (the injected clock), step by step: a car's
 * engine state from voltage and current (engine-state.ts), a washer's flex offer, planned start and
 * cycle events (washer-board.ts). A washer's plan lives on the board, so a helpdesk restart does not
 * touch it; with a `washerState` keeper it also survives a restart of the board process.
 *
 * Lifecycle: start() opens the board, waits for every sensor's first sample, connects the agent
 * and ticks it on the injected clock. When the board goes away the agent's connection is dropped
 * without goodbye, so the broker publishes the last will (offline); the driver then tries to open
 * the board again and, once it is back, connects the agent again (online).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock, CommandBody, DeviceKind } from '../../contracts/index.js';
import { createAgent, type Agent } from '../agent.js';
import type { AgentOptions } from '../agent-options.js';
import type { AnyKindModel } from '../kinds/index.js';
import type { CommandResult } from '../kinds/model.js';
import type { OutboxStore } from '../outbox/store.js';
import type { FirmataTransport } from '../firmata/transport.js';
import { boardAnnounce } from './announce.js';
import { openBoard, type BoardHandle } from './board.js';
import { READINGS, type BoardConfig } from './board-file.js';
import { composeReadings, type Known } from './compose.js';
import { engineStep, initialEngine } from './engine-state.js';
import { BOARD_ERR, BoardError } from './errors.js';
import type { StateKeeper } from './state-file.js';
import { createWasherBoard, type PressResult } from './washer-board.js';
import type { WasherCycleState } from './washer-cycle.js';
import { wireBoard, type Wiring } from './wiring.js';

export interface BoardDeviceOptions {
  config: BoardConfig;
  /** opens the line to the board; called again to reconnect after an unplug */
  connect: () => Promise<FirmataTransport>;
  /** where the board is, for messages */
  port: string;
  brokerUrl: string;
  /** more brokers to connect to when brokerUrl is gone (the other nodes of a NATS cluster), in order */
  failoverUrls?: readonly string[];
  /**
   * end-to-end acknowledgements (AgentOptions.acks, docs/scale.md): readings kept until the helpdesk's
   * partition confirms them, for a helpdesk on a NATS cluster (`evernet helpdesk --cluster`); default off
   */
  acks?: AgentOptions['acks'];
  clock: Clock;
  log: Logger;
  /** pause between reconnect attempts after an unplug (default 2000 ms; 0: do not reconnect) */
  reconnectEveryMs?: number;
  readyTimeoutMs?: number;
  /** how long start() waits for every sensor's first sample (default 10 s) */
  firstSampleTimeoutMs?: number;
  /** agent tick, i.e. the command latency (default 100 ms) */
  tickMs?: number;
  /** the agent's step in event time (default tickMs): larger on a clock that moves fast (tests, drills) */
  stepMs?: number;
  /** where unacknowledged telemetry and events wait (the agent's outbox; default in memory) */
  outbox?: OutboxStore;
  /** keeps a washer's armed offer and planned start across a restart of the board process */
  washerState?: StateKeeper<WasherCycleState>;
}

export type BoardDeviceStatus = 'starting' | 'online' | 'offline' | 'stopped';

export function createBoardDevice(options: BoardDeviceOptions) {
  const { config, log, clock } = options;
  const tickMs = options.tickMs ?? 100;
  const reconnectEveryMs = options.reconnectEveryMs ?? 2000;
  const schema = READINGS[config.kind] as z.ZodType;
  const known: Known = { setpointC: null, batterySaver: false };
  const statusListeners: Array<(s: BoardDeviceStatus) => void> = [];
  const pulses = new Set<NodeJS.Timeout>();
  let handle: BoardHandle | null = null;
  let wiring: Wiring | null = null;
  let lastValid: Record<string, unknown> | null = null;
  let engine = initialEngine();
  /** event time of the last derivation: the board's own logic never steps back in time */
  let derivedAt = -Infinity;
  let ticker: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;
  let status = 'starting' as BoardDeviceStatus;
  const stopped = () => status === 'stopped';
  const counters = { reconnects: 0, invalidReadings: 0, flagged: 0 };
  const s = config.settings;

  const setStatus = (st: BoardDeviceStatus) => {
    status = st;
    for (const l of statusListeners) l(st);
  };

  /** closes the relay a command is wired to: for pulseMs (a button press), or latched */
  function drive(action: string, on = true): PressResult {
    const wired = (config.commands as Record<string, { output: string; pulseMs?: number }>)[action];
    if (!wired) return 'not-wired';
    const relay = wiring?.relay(wired.output);
    if (!relay) return 'disconnected';
    if (!wired.pulseMs) {
      if (on) relay.close();
      else relay.open();
      return 'pressed';
    }
    relay.close();
    const t = setTimeout(() => {
      pulses.delete(t);
      relay.open();
    }, wired.pulseMs);
    pulses.add(t);
    return 'pressed';
  }

  const washer =
    config.kind === 'washer'
      ? createWasherBoard({ config, log, keeper: options.washerState, publish: (e) => agent.event(e.at, e.body), press: (action) => drive(action) })
      : null;

  /** what the board derives at event time t from what it measures (engine state, the washer's logic) */
  function derive(measured: Record<string, unknown>, at: number): void {
    const t = (derivedAt = Math.max(derivedAt, at));
    const num = (k: string) => (typeof measured[k] === 'number' ? (measured[k] as number) : null);
    if (config.kind === 'car-battery') {
      const v = num('voltageV');
      const a = num('currentA');
      if (v !== null && a !== null) {
        engine = engineStep(engine, s, v, a, t);
        known.engineRunning = engine.running;
      }
    }
    if (washer) {
      const w = num('powerW') ?? 0;
      washer.step(t, w, wiring?.knob() ?? null);
      known.washer = washer.status(t, w);
    }
  }

  function readings(t: number): Record<string, unknown> | null {
    const measured = wiring?.measured() ?? null;
    if (measured) {
      derive(measured, t);
      const r = schema.safeParse(composeReadings(config, measured, known));
      if (r.success) lastValid = r.data as Record<string, unknown>;
      else {
        counters.invalidReadings++;
        log.error({ code: 'EVN_ERR_SCHEMA', deviceId: config.deviceId, issues: r.error.issues.slice(0, 3) }, 'board readings do not fit the contract');
      }
    }
    return lastValid;
  }

  function command(cmd: CommandBody, at: number): Omit<CommandResult<null>, 'state'> {
    const done = (r: { ok: boolean; code?: string; detail?: string }) => ({ ...r, events: [] });
    const w = washer?.command(cmd, at);
    if (w) return done(w);
    switch (cmd.action) {
      case 'battery-saver': {
        if (config.kind !== 'car-battery') break;
        const p = drive('battery-saver', cmd.on);
        if (p === 'disconnected') return done({ ok: false, code: BOARD_ERR.DISCONNECTED, detail: 'the board is not connected' });
        known.batterySaver = cmd.on;
        return done({ ok: true });
      }
      case 'set-setpoint':
        if (config.kind !== 'fridge') break;
        if (config.readings.some((r) => r.key === 'setpointC')) {
          return done({ ok: false, code: BOARD_ERR.UNSUPPORTED_COMMAND, detail: "the board has no thermostat output: the fridge's setpoint is the one its board file states" });
        }
        if (cmd.celsius < 0 || cmd.celsius > 12) return done({ ok: false, code: 'EVN_ERR_OUT_OF_RANGE', detail: 'a fridge setpoint must be 0–12 °C' });
        known.setpointC = cmd.celsius;
        return done({ ok: true });
      case 'display-message':
        log.info({ deviceId: config.deviceId, text: cmd.text }, 'message for the customer (a board has no display)');
        return done({ ok: true });
    }
    return done({ ok: false, code: BOARD_ERR.UNSUPPORTED_COMMAND, detail: `this ${config.kind} board does not support '${cmd.action}'` });
  }

  // the agent only ticks while the board is wired, so readings() is non-null here; the state is null
  const step: AnyKindModel['step'] = (state, _dtS, t) => {
    const r = readings(t) as ReturnType<AnyKindModel['step']>['readings'];
    const extra = config.extra.length ? (wiring?.extra() ?? undefined) : undefined;
    return { state, readings: r, events: [], ...(extra ? { extra } : {}) };
  };
  const model: AnyKindModel = {
    kind: config.kind as DeviceKind,
    params: z.unknown(),
    faultKinds: [],
    init: () => null,
    step,
    stepOwned: step,
    command: (state, cmd, t) => ({ state, ...command(cmd, t) }),
    noticeable: () => false,
  };
  const agent: Agent = createAgent({
    customerId: config.customerId,
    deviceId: config.deviceId,
    model,
    params: {},
    seed: 0,
    brokerUrl: options.brokerUrl,
    startAt: clock.now(),
    log,
    telemetryEveryS: config.publish.everyS,
    stepS: (options.stepMs ?? tickMs) / 1000,
    announce: boardAnnounce(config),
    ...(options.outbox ? { outbox: options.outbox } : {}),
    ...(options.failoverUrls?.length ? { failoverUrls: options.failoverUrls } : {}),
    ...(options.acks ? { acks: options.acks } : {}),
  });

  async function connectBoard(): Promise<void> {
    const transport = await options.connect();
    const h = await openBoard({ transport, port: options.port, readyTimeoutMs: options.readyTimeoutMs, samplingIntervalMs: config.sampling.everyMs });
    for (const r of [...config.readings, ...config.extra]) {
      if (r.spec.sensor === 'ds18b20' && !h.supportsOneWire(r.pin!)) {
        await h.close();
        throw new BoardError(BOARD_ERR.FIRMWARE_FEATURE, `${r.key} is a DS18B20 on pin ${r.pin}, but the firmware '${h.firmware.name}' has no 1-Wire support: flash ConfigurableFirmata (with OneWireFirmata) instead of StandardFirmata, see docs/boards.md`);
      }
    }
    const w = wireBoard(h, config, (key, flag, value) => {
      if (flag) counters.flagged++;
      log.warn({ code: flag ? 'EVN_ERR_SENSOR_RANGE' : 'EVN_OK_SENSOR_RANGE', deviceId: config.deviceId, reading: key, flag, value }, flag ? 'reading clipped' : 'reading back in range');
    });
    const deadline = Date.now() + (options.firstSampleTimeoutMs ?? 10_000);
    while (w.measured() === null || (config.extra.length > 0 && w.extra() === null)) {
      if (Date.now() > deadline || h.closed) {
        w.stop();
        await h.close();
        throw new BoardError(BOARD_ERR.SENSOR_SILENT, `no sample from ${w.silent().join(', ')} on ${options.port}: check the wiring against docs/boards.md`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    handle = h;
    wiring = w;
    if (readings(clock.now()) === null) {
      await closeBoard();
      throw new BoardError(BOARD_ERR.SENSOR_SILENT, `the first readings from ${options.port} do not fit the ${config.kind} contract (see the log)`);
    }
    if (washer) w.onArm(() => washer.requestArm());
    h.onDisconnect(() => void unplugged());
  }

  async function goOnline(): Promise<void> {
    await agent.start(clock.now());
    ticker = setInterval(() => agent.tick(clock.now()), tickMs);
    setStatus('online');
    log.info({ deviceId: config.deviceId, port: options.port, firmware: handle?.firmware }, 'board online');
  }

  async function closeBoard(): Promise<void> {
    wiring?.stop();
    const h = handle;
    wiring = null;
    handle = null;
    await h?.close();
  }

  function stopTicking(): void {
    if (ticker) clearInterval(ticker);
    ticker = null;
    for (const t of pulses) clearTimeout(t);
    pulses.clear();
  }

  async function unplugged(): Promise<void> {
    if (stopped()) return;
    stopTicking();
    wiring?.stop();
    wiring = null;
    handle = null;
    lastValid = null;
    log.warn({ code: BOARD_ERR.DISCONNECTED, deviceId: config.deviceId, port: options.port }, 'board disconnected; the broker publishes the last will');
    await agent.kill();
    setStatus('offline');
    if (reconnectEveryMs > 0) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    retry = setTimeout(async () => {
      retry = null;
      if (stopped()) return;
      try {
        await connectBoard();
      } catch (e) {
        log.debug({ deviceId: config.deviceId, err: (e as Error).message }, 'board not back yet');
        if (!stopped()) scheduleReconnect();
        return;
      }
      if (stopped()) return void (await closeBoard());
      counters.reconnects++;
      await goOnline();
    }, reconnectEveryMs);
  }

  return {
    deviceId: config.deviceId,
    customerId: config.customerId,
    kind: config.kind,
    agent,
    async start(): Promise<void> {
      await connectBoard();
      await goOnline();
      // a washer restarted with an open offer that got no plan offers it again
      washer?.reoffer(clock.now());
    },
    status: () => status,
    onStatus(listener: (s: BoardDeviceStatus) => void): void {
      statusListeners.push(listener);
    },
    /** the readings the next telemetry message carries */
    readings: () => lastValid,
    flags: () => wiring?.flags() ?? {},
    stats: () => ({ ...agent.stats(), ...counters }),
    /** a washer board's offer, plan and cycle (null for other kinds) */
    washer: (): WasherCycleState | null => washer?.state() ?? null,
    /** Graceful stop: says offline itself (retained), opens the relays, closes the board. */
    async stop(): Promise<void> {
      const wasOnline = status === 'online';
      setStatus('stopped');
      if (retry) clearTimeout(retry);
      stopTicking();
      if (wasOnline) await agent.stop();
      await closeBoard();
    },
  };
}

export type BoardDevice = ReturnType<typeof createBoardDevice>;
