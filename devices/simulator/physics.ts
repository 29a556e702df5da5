/**
 * Drives a software board's pins from the same physics model a simulated device runs, wired as a
 * board file says: the model's readings become sensor signals (a TMP36's voltage, a divider's
 * voltage, a Hall sensor's or shunt amplifier's voltage for the car's current, a reed switch's level,
 * a DS18B20's temperature), and the relays the host drives become the model's commands (the washer's
 * start relay starts the cycle). It also plays the user: it presses a washer's arm button and turns
 * its delay knob. So a "board fridge" on the software board behaves like the simulated fridge,
 * through real Firmata bytes and johnny-five.
 *
 * The one simulator file that reads devices/drivers/, and only its pure modules: the board file
 * (what is wired where) and the sensor physics (sensors.ts, run backwards: quantity -> ADC value).
 * Never board.ts: the simulator does not need johnny-five.
 */
import type { CommandBody } from '../../contracts/index.js';
import type { AnyKindModel } from '../kinds/index.js';
import { PROGRAMMES } from '../kinds/washer-programmes.js';
import type { BoardConfig } from '../drivers/board-file.js';
import { analogRaw } from '../drivers/sensors.js';
import { Ds18b20 } from './ds18b20.js';
import type { SoftwareBoard } from './software-board.js';

export interface PhysicsRigOptions {
  board: SoftwareBoard;
  config: BoardConfig;
  model: AnyKindModel;
  params?: unknown;
  seed?: number;
  /** event time the model starts at (ms) */
  startAt: number;
  /** model step (default 1 s) */
  stepS?: number;
}

export function createPhysicsRig(options: PhysicsRigOptions) {
  const { board, config, model } = options;
  const stepMs = (options.stepS ?? 1) * 1000;
  const adc = { aref: config.aref, max: board.adcMax };
  let state = model.init(model.params.parse(options.params ?? {}), options.seed ?? 1, options.startAt);
  // a washer board's programme is what the model runs when the relay presses start (the model's own
  // programme table; a board file's own slots run as cotton-40)
  const programme = config.flexOffer?.programme;
  if (config.kind === 'washer' && programme && programme in PROGRAMMES) state = { ...(state as object), programme };
  let t = options.startAt;
  let readings: Record<string, unknown> = {};
  const overrides = new Map<string, unknown>();
  const commandsSent: string[] = [];
  let n = 0;

  const thermometers = new Map<string, Ds18b20>();
  [...config.readings, ...config.extra].forEach((r, i) => {
    if (r.spec.sensor !== 'ds18b20') return;
    const d = new Ds18b20({ serial: 0x1000 + i });
    thermometers.set(r.key, d);
    board.attachOneWire(r.pin!, d);
  });

  function apply(): void {
    // extra sensors have no model reading: they rest at their first value (0 V on an analog pin) until overridden
    for (const r of [...config.readings, ...config.extra]) {
      const value = overrides.has(r.key) ? overrides.get(r.key) : readings[r.key];
      const spec = r.spec;
      if (value === undefined) continue;
      switch (spec.sensor) {
        case 'tmp36':
        case 'voltage-divider':
        case 'current-sensor':
        case 'shunt':
        case 'analog':
          board.setAnalog(r.channel!, analogRaw(spec, r.quantity, Number(value), adc));
          break;
        case 'ds18b20':
          thermometers.get(r.key)!.temperatureC = Number(value) - spec.calibration.offsetC;
          break;
        case 'reed-switch':
        case 'digital-in':
          board.setDigital(r.pin!, (value === true) === (spec.activeWhen === 'high') ? 1 : 0);
          break;
      }
    }
  }

  // relays the host closes become model commands
  board.on('digital-write', ({ pin, value }: { pin: number; value: number }) => {
    for (const [name, o] of Object.entries(config.outputs)) {
      if (o.pin !== pin) continue;
      const closed = (value === 1) === (o.type === 'NO');
      const actions = Object.entries(config.commands).filter(([, c]) => c.output === name).map(([a]) => a);
      if (actions.includes('battery-saver')) send({ commandId: `relay-${++n}`, action: 'battery-saver', on: closed });
      else if (closed && actions.length > 0) {
        const running = ['fill', 'heat', 'wash', 'rinse', 'drain', 'spin'].includes(String(readings.phase));
        const action = actions.includes('pause') && (running || !actions.includes('start')) ? 'pause' : 'start';
        send({ commandId: `relay-${++n}`, action } as CommandBody);
      }
    }
  });

  // a washer's arm button rests released (a pulled-up button reads high) and its knob at 0
  const arm = config.flexOffer?.arm;
  const armLevel = (pressed: boolean): 0 | 1 => (pressed === (arm!.activeWhen === 'high') ? 1 : 0);
  if (arm) board.setDigital(arm.pin, armLevel(false));
  const presses = new Set<NodeJS.Timeout>();

  function send(cmd: CommandBody): void {
    const r = model.command(state, cmd, t);
    state = r.state;
    commandsSent.push(`${cmd.action}:${r.ok ? 'ok' : r.code}`);
  }

  return {
    /** Runs the model up to event time `to` and puts its readings on the pins. */
    advance(to: number): void {
      while (t + stepMs <= to) {
        t += stepMs;
        const r = model.step(state, stepMs / 1000, t);
        state = r.state;
        readings = r.readings as Record<string, unknown>;
      }
      apply();
    },
    /** Forces a reading's signal (a test opening the door, a broken sensor); undefined releases it. */
    override(key: string, value: unknown): void {
      if (value === undefined) overrides.delete(key);
      else overrides.set(key, value);
      apply();
    },
    /**
     * The user presses the washer's arm button for `holdMs` (wall time: the board samples its pins in
     * real time) and lets go; resolves once released.
     */
    pressArm(holdMs = 300): Promise<void> {
      if (!arm) throw new Error(`the board file of ${config.deviceId} has no flexOffer.armInput`);
      board.setDigital(arm.pin, armLevel(true));
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          presses.delete(timer);
          board.setDigital(arm.pin, armLevel(false));
          resolve();
        }, holdMs);
        presses.add(timer);
      });
    },
    /** Turns the washer's delay knob to `fraction` (0..1) of its travel. */
    setKnob(fraction: number): void {
      const delay = config.flexOffer?.delay;
      if (!delay) throw new Error(`the board file of ${config.deviceId} has no flexOffer.delayInput`);
      board.setAnalog(delay.channel, Math.round(Math.min(1, Math.max(0, fraction)) * board.adcMax));
    },
    /** Stops pending button releases (the rig is done). */
    stop(): void {
      for (const p of presses) clearTimeout(p);
      presses.clear();
    },
    readings: () => ({ ...readings }),
    modelState: () => state,
    /** model commands the relays caused, as "action:ok" */
    commands: () => [...commandsSent],
  };
}

export type PhysicsRig = ReturnType<typeof createPhysicsRig>;
