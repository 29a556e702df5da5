/**
 * A board-backed device: an Arduino (or the software board) described by a board file, published
 * through the same device agent as the simulated kinds: same topics, same payload validation, the
 * same last will. The agent is given a "model" whose readings come from the board and whose
 * commands drive its relays.
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
import type { AnyKindModel } from '../kinds/index.js';
import type { CommandResult } from '../kinds/model.js';
import type { FirmataTransport } from '../firmata/transport.js';
import { openBoard, type BoardHandle } from './board.js';
import { READINGS, type BoardConfig } from './board-file.js';
import { composeReadings, type CommandState } from './compose.js';
import { BOARD_ERR, BoardError } from './errors.js';
import { wireBoard, type Wiring } from './wiring.js';

export interface BoardDeviceOptions {
  config: BoardConfig;
  /** opens the line to the board; called again to reconnect after an unplug */
  connect: () => Promise<FirmataTransport>;
  /** where the board is, for messages */
  port: string;
  brokerUrl: string;
  clock: Clock;
  log: Logger;
  /** pause between reconnect attempts after an unplug (default 2000 ms; 0: do not reconnect) */
  reconnectEveryMs?: number;
  readyTimeoutMs?: number;
  /** how long start() waits for every sensor's first sample (default 10 s) */
  firstSampleTimeoutMs?: number;
  /** agent tick, i.e. the command latency (default 100 ms) */
  tickMs?: number;
}

export type BoardDeviceStatus = 'starting' | 'online' | 'offline' | 'stopped';

export function createBoardDevice(options: BoardDeviceOptions) {
  const { config, log, clock } = options;
  const tickMs = options.tickMs ?? 100;
  const reconnectEveryMs = options.reconnectEveryMs ?? 2000;
  const schema = READINGS[config.kind] as z.ZodType;
  const commandState: CommandState = { setpointC: null, batterySaver: false };
  const statusListeners: Array<(s: BoardDeviceStatus) => void> = [];
  const pulses = new Set<NodeJS.Timeout>();
  let handle: BoardHandle | null = null;
  let wiring: Wiring | null = null;
  let lastValid: Record<string, unknown> | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;
  let status = 'starting' as BoardDeviceStatus;
  const stopped = () => status === 'stopped';
  const counters = { reconnects: 0, invalidReadings: 0, flagged: 0 };

  const setStatus = (s: BoardDeviceStatus) => {
    status = s;
    for (const l of statusListeners) l(s);
  };

  function readings(): Record<string, unknown> | null {
    const measured = wiring?.measured() ?? null;
    if (measured) {
      const r = schema.safeParse(composeReadings(config, measured, commandState));
      if (r.success) lastValid = r.data as Record<string, unknown>;
      else {
        counters.invalidReadings++;
        log.error({ code: 'EVN_ERR_SCHEMA', deviceId: config.deviceId, issues: r.error.issues.slice(0, 3) }, 'board readings do not fit the contract');
      }
    }
    return lastValid;
  }

  function command(cmd: CommandBody): Omit<CommandResult<null>, 'state'> {
    const wired = (config.commands as Record<string, { output: string; pulseMs?: number }>)[cmd.action];
    const relay = wired ? wiring?.relay(wired.output) : undefined;
    if (wired && !relay) return { ok: false, code: BOARD_ERR.DISCONNECTED, detail: 'the board is not connected', events: [] };
    switch (cmd.action) {
      case 'start':
      case 'pause':
        if (!relay) break;
        if (wired!.pulseMs) {
          relay.close();
          const t = setTimeout(() => {
            pulses.delete(t);
            relay.open();
          }, wired!.pulseMs);
          pulses.add(t);
        } else if (cmd.action === 'start') relay.close();
        else relay.open();
        return { ok: true, events: [] };
      case 'battery-saver':
        if (config.kind !== 'car-battery') break;
        commandState.batterySaver = cmd.on;
        if (relay) {
          if (cmd.on) relay.close();
          else relay.open();
        }
        return { ok: true, events: [] };
      case 'set-setpoint':
        if (config.kind !== 'fridge') break;
        if (cmd.celsius < 0 || cmd.celsius > 12) return { ok: false, code: 'EVN_ERR_OUT_OF_RANGE', detail: 'a fridge setpoint must be 0–12 °C', events: [] };
        commandState.setpointC = cmd.celsius;
        return { ok: true, events: [] };
      case 'display-message':
        log.info({ deviceId: config.deviceId, text: cmd.text }, 'message for the customer (a board has no display)');
        return { ok: true, events: [] };
    }
    return { ok: false, code: 'EVN_ERR_UNSUPPORTED_COMMAND', detail: `this ${config.kind} board does not support '${cmd.action}'`, events: [] };
  }

  const model: AnyKindModel = {
    kind: config.kind as DeviceKind,
    params: z.unknown(),
    faultKinds: [],
    init: () => null,
    // the agent only ticks while the board is wired, so readings() is non-null here
    step: (state) => ({ state, readings: readings() as ReturnType<AnyKindModel['step']>['readings'], events: [] }),
    command: (state, cmd) => ({ state, ...command(cmd) }),
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
    stepS: tickMs / 1000,
  });

  async function connectBoard(): Promise<void> {
    const transport = await options.connect();
    const h = await openBoard({ transport, port: options.port, readyTimeoutMs: options.readyTimeoutMs, samplingIntervalMs: config.sampling.everyMs });
    for (const r of config.readings) {
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
    while (w.measured() === null) {
      if (Date.now() > deadline || h.closed) {
        w.stop();
        await h.close();
        throw new BoardError(BOARD_ERR.SENSOR_SILENT, `no sample from ${w.silent().join(', ')} on ${options.port}: check the wiring against docs/boards.md`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    handle = h;
    wiring = w;
    if (readings() === null) {
      await closeBoard();
      throw new BoardError(BOARD_ERR.SENSOR_SILENT, `the first readings from ${options.port} do not fit the ${config.kind} contract (see the log)`);
    }
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
    },
    status: () => status,
    onStatus(listener: (s: BoardDeviceStatus) => void): void {
      statusListeners.push(listener);
    },
    /** the readings the next telemetry message carries */
    readings: () => lastValid,
    flags: () => wiring?.flags() ?? {},
    stats: () => ({ ...agent.stats(), ...counters }),
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
