/**
 * The helpdesk's brain, without I/O: takes validated messages in event-time order and decides.
 * telemetry -> detectors -> incidents; events -> loads, inventory, command results;
 * app requests -> recipe assistant. Everything it says goes to the outbox.
 */
import type { Logger } from 'pino';
import { ERR, type Decoded, type ErrorCode, type Item } from '../contracts/index.js';
import { answerRecipe } from './assistant/shopping.js';
import { createDetection } from './detect/detect.js';
import { indexDirectory, type Directory } from './directory.js';
import type { Events } from './events.js';
import { createHistory } from './history.js';
import { createIncidents } from './incidents.js';
import { createStaffActions, type StaffAction, type StaffResult } from './staff-actions.js';
import { createTicketOps } from './ticket-ops.js';
import { createLoads } from './loads.js';
import type { Outbox } from './outbox.js';
import type { Tariff } from './schedule/tariff.js';
import type { Ticket } from './tickets/lifecycle.js';
import type { TicketStore } from './tickets/store.js';

export interface ShoppingRecord {
  at: number;
  customerId: string;
  requestId: string;
  recipe: string;
  missing: Item[];
  store: { id: string; name: string; distanceKm: number } | null;
  text: string;
}

export interface CoreDeps {
  directory: Directory;
  tariff: Tariff;
  store: TicketStore;
  outbox: Outbox;
  log: Logger;
  events: Events;
}

export function createCore(deps: CoreDeps) {
  const directory = indexDirectory(deps.directory);
  const detection = createDetection();
  const driving = new Map<string, boolean>();
  const online = new Map<string, boolean>();
  const inventories = new Map<string, Item[]>();
  const shopping: ShoppingRecord[] = [];

  const drivingCar = (customerId: string): string | undefined => {
    const c = directory.customer(customerId);
    return c?.devices.find((d) => d.kind === 'car-battery' && driving.get(`${customerId}/${d.id}`))?.id;
  };
  const history = createHistory();
  const { events } = deps;
  const opsDeps = {
    store: deps.store, outbox: deps.outbox, directory, log: deps.log, drivingCar,
    onTicket: (ticket: Ticket, at: number, note: string) => events.emit({ type: 'ticket', at, ticket, note }),
  };
  const ops = createTicketOps(opsDeps);
  const incidents = createIncidents(opsDeps, ops);
  const staff = createStaffActions({ ...opsDeps, ops, track: incidents.track });
  const loads = createLoads({ tariff: deps.tariff, outbox: deps.outbox, log: deps.log, onChange: (load, at) => events.emit({ type: 'load', at, load }) });

  /** Checks a contract-valid message against what the helpdesk knows, before it is buffered. */
  function admit(m: Decoded): { code: ErrorCode; reason: string } | null {
    const t = m.topic;
    if (!directory.customer(t.customerId)) return { code: ERR.UNKNOWN_DEVICE, reason: `unknown customer '${t.customerId}'` };
    if (t.scope === 'service') return null;
    const device = directory.device(t.customerId, t.deviceId);
    if (!device) return { code: ERR.UNKNOWN_DEVICE, reason: `device '${t.deviceId}' of '${t.customerId}' is not in the directory` };
    const kind = (m.payload as { kind?: string }).kind;
    if ((t.channel === 'telemetry' || t.channel === 'availability') && kind !== device.kind) {
      return { code: ERR.KIND_MISMATCH, reason: `${t.channel} of kind ${kind} from a ${device.kind}` };
    }
    return null;
  }

  function handle(m: Decoded, now: number): void {
    const t = m.topic;
    if (t.scope === 'service') {
      if (t.channel === 'request' && m.topic.channel === 'request') {
        const req = m.payload as Extract<Decoded, { topic: { channel: 'request' } }>['payload'];
        const c = directory.customer(t.customerId);
        if (!c) return;
        const inventory = c.devices.filter((d) => d.kind === 'fridge').flatMap((d) => inventories.get(`${c.id}/${d.id}`) ?? []);
        const a = answerRecipe({ recipe: req.recipe, inventory, stores: directory.stores, location: req.location });
        shopping.push({ at: req.ts, customerId: c.id, requestId: req.requestId, recipe: req.recipe.name, ...a });
        deps.outbox.answer(c.id, now, { requestId: req.requestId, recipe: req.recipe.name, ...a });
      }
      return;
    }
    const key = `${t.customerId}/${t.deviceId}`;
    if (!directory.device(t.customerId, t.deviceId)) return;
    switch (m.topic.channel) {
      case 'telemetry': {
        const tel = m.payload as Extract<Decoded, { topic: { channel: 'telemetry' } }>['payload'];
        if (tel.kind === 'car-battery') driving.set(key, tel.readings.engineRunning);
        history.add(key, { ts: tel.ts, readings: tel.readings });
        if (events.size) events.emit({ type: 'telemetry', at: tel.ts, customerId: t.customerId, deviceId: t.deviceId, readings: tel.readings });
        for (const s of detection.observe(key, tel)) incidents.signal(t.customerId, t.deviceId, s, now);
        return;
      }
      case 'event': {
        const e = m.payload as Extract<Decoded, { topic: { channel: 'event' } }>['payload'];
        if (e.type === 'inventory') inventories.set(key, e.items);
        else if (e.type === 'flex-offer') loads.offer(t.customerId, t.deviceId, e, now);
        else if (e.type === 'cycle') loads.cycle(t.customerId, t.deviceId, e);
        else if (e.type === 'command-result') incidents.commandResult(t.customerId, t.deviceId, e, e.ts);
        return;
      }
      case 'availability': {
        const a = m.payload as Extract<Decoded, { topic: { channel: 'availability' } }>['payload'];
        online.set(key, a.state === 'online');
        events.emit({ type: 'availability', at: a.ts, customerId: t.customerId, deviceId: t.deviceId, online: a.state === 'online' });
        deps.log.info({ deviceId: t.deviceId, state: a.state, reason: a.reason }, 'availability');
        return;
      }
      default:
        return;
    }
  }

  return {
    admit,
    handle,
    /** after a restart: carries on with tickets opened but not yet followed up (see incidents.resume) */
    resume: (now: number): Ticket[] => incidents.resume(now),
    loads: () => loads.list(),
    shopping: (): ShoppingRecord[] => shopping.map((s) => ({ ...s })),
    online: (customerId: string, deviceId: string): boolean | undefined => online.get(`${customerId}/${deviceId}`),
    /** telemetry of one device between two event times, oldest first */
    history: (customerId: string, deviceId: string, from?: number, to?: number) => history.range(`${customerId}/${deviceId}`, from, to),
    /** every device in the directory with its owner, kind, availability and last reading */
    devices: () =>
      directory.customers.flatMap((c) =>
        c.devices.map((d) => {
          const last = history.last(`${c.id}/${d.id}`);
          return { customerId: c.id, customer: c.name, deviceId: d.id, kind: d.kind, name: d.name, online: online.get(`${c.id}/${d.id}`) ?? null, lastTs: last?.ts ?? null, last: last?.readings ?? null };
        }),
      ),
    act: (ticketId: string, action: StaffAction, by: string, now: number): StaffResult => staff.act(ticketId, action, by, now),
  };
}
