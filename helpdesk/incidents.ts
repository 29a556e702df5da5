/**
 * From detector signals to tickets: open one ticket per incident, contact the customer on the
 * channel that fits the moment, send the remote fix if one exists, otherwise offer the
 * product-service chain; resolve when telemetry shows the problem gone. A staff-only kind (an
 * unusual reading) is opened and left for staff; a silent device's customer is asked to check it.
 *
 *   fire   -> [open, contact, remedy]        (staff only: [open])
 *   result -> [confirm | fail + escalate]
 *   clear  -> [resolve]
 */
import { deviceKey } from '../contracts/index.js';
import { offsetMinutesAt } from '../contracts/time-zone.js';
import { zoneOf } from './contact/choose-channel.js';
import type { Signal } from './detect/detector.js';
import { localHhmm } from './format.js';
import { slotText } from './bookings/bookings.js';
import { worthLogging } from './loads.js';
import { createTicketOps, notSentNote, type TicketOps, type TicketOpsDeps } from './ticket-ops.js';
import * as life from './tickets/lifecycle.js';
import { FALLBACK_PLAY, PLAYBOOK } from './tickets/playbook.js';

export type IncidentDeps = TicketOpsDeps & {
  /** commands awaiting a device's result; beyond it the oldest is forgotten (EVN_ERR_COMMAND_FORGOTTEN); default 10,000 */
  maxPendingCommands?: number;
};

const BY = 'helpdesk';

export interface IncidentsSnapshot {
  /** commandId -> ticketId, oldest first */
  actions: Map<string, string>;
  forgotten: number;
}

export function createIncidents(deps: IncidentDeps, ops: TicketOps = createTicketOps(deps)) {
  const { store, outbox, directory, log } = deps;
  const { apply, announce, offerFor } = ops;
  /** commandId -> ticketId, for confirmations; insertion order is age */
  const actions = new Map<string, string>();
  const maxPending = deps.maxPendingCommands ?? 10_000;
  let forgotten = 0;
  function expectResult(commandId: string, ticketId: string): void {
    actions.set(commandId, ticketId);
    while (actions.size > maxPending) {
      const oldest = actions.keys().next().value as string;
      actions.delete(oldest);
      if (worthLogging(++forgotten)) log.warn({ code: 'EVN_ERR_COMMAND_FORGOTTEN', forgotten, commandId: oldest }, 'too many commands await a result: the oldest is forgotten');
    }
  }

  function fire(customerId: string, deviceId: string, s: Extract<Signal, { type: 'fire' }>, now: number): void {
    const device = directory.device(customerId, deviceId);
    const customer = directory.customer(customerId);
    if (!device || !customer) return;
    const existing = store.findOpen(customerId, deviceId, s.kind);
    if (existing) {
      apply(life.addNote(existing, { at: now, by: BY, text: 'detector fired again', detail: { evidence: s.evidence } }), now, 'detected again', existing);
      return;
    }
    const incidentKey = `${deviceKey(customerId, deviceId)}/${s.kind}/${String(s.evidence.since ?? s.at)}`;
    const opened = life.open({ incidentKey, deviceId, customerId, kind: s.kind, severity: s.severity, at: s.at, evidence: s.evidence, proactive: true, by: BY });
    if (!opened.ok) return void log.error({ code: opened.error.code, reason: opened.error.reason }, 'cannot open ticket');
    const { ticket: stored, created } = store.openIdempotent(opened.ticket);
    if (!created) return;
    announce(stored, now, 'opened');
    log.info({ ticketId: stored.id, deviceId, kind: s.kind, severity: s.severity }, 'ticket opened');
    proceed(stored, now);
  }

  /** After the ticket is stored: [contact, remedy] */
  function proceed(opened: life.Ticket, now: number): void {
    const { customerId, deviceId, kind } = opened;
    const device = directory.device(customerId, deviceId);
    const customer = directory.customer(customerId);
    if (!device || !customer) return;
    let t = opened;
    const play = PLAYBOOK[kind] ?? FALLBACK_PLAY;
    // a ticket for staff: its evidence waits on it, the customer is not contacted
    if (play.staffOnly) return;
    const fixing = play.remote ? ' We are fixing it remotely right now.' : '';
    const zone = zoneOf(customer.preferences);
    const hhmm = (at: number): string => localHhmm(at, offsetMinutesAt(zone, at));
    const text = play.message
      ? play.message({ customer: customer.name, deviceKind: device.kind, deviceName: device.name, evidence: t.evidence, hhmm })
      : `Hello ${customer.name}, we noticed that ${play.headline} (${String(t.evidence.observed)}).${fixing}`;
    const choice = ops.contactCustomer(customer, t, device.kind, text, now);
    // the customer's consent leaves no channel: nothing is sent, nor done to the device without telling them; staff see why
    if (choice.channel === null) return void apply(life.addNote(t, notSentNote(now, BY, text, choice.reason)), now, 'contact not sent', t);
    const told = { channel: choice.channel, text, reason: choice.reason, ...(choice.deviceId !== undefined ? { shownOn: choice.deviceId } : {}) };
    t = apply(life.contact(t, { at: now, by: BY, ...told }), now, `contacted via ${choice.channel}: ${choice.reason}`, t);

    if (play.remote) {
      const commandId = outbox.command(customerId, deviceId, now, play.remote);
      expectResult(commandId, t.id);
      apply(life.sendAction(t, { at: now, action: play.remote.action, commandId, by: BY }), now, `remote action ${play.remote.action} sent`, t);
    } else if (play.offer && play.offer !== 'none') {
      const o = offerFor(customer, device, t, now);
      // the booking's free slots, in the customer's time: they answer with a reply 'pick-slot' (helpdesk/dialogue)
      const slots = o.booking?.slots.length ? ` Free slots: ${o.booking.slots.map((x) => slotText(x, zone)).join(', ')}; pick one in the app.` : '';
      const offered = { channel: choice.channel, text: `No remote fix is possible: ${o.text}.${slots}` };
      t = apply(life.escalate(t, { at: now, reason: `no remote fix for ${kind}`, offer: o.offer, by: BY, told: offered }), now, o.text, t);
      outbox.contact(customerId, now, { ticketId: t.id, deviceId, ...offered, ...(o.booking ? { booking: o.booking } : {}) });
      deps.consent?.recordContact({ customerId, at: now, purpose: 'service', channel: choice.channel, ticketId: t.id, sent: true, reason: 'the product-service offer, on the channel of the contact' });
    }
  }

  /**
   * After a restart: tickets this flow opened whose process died before it contacted the customer
   * (opening is committed on its own, the contact is the next step) go on from there now. Tickets
   * further along need nothing: what the customer was told is on their timeline.
   */
  function resume(now: number): life.Ticket[] {
    const stalled = store
      .list({ state: 'opened' })
      .filter((t) => t.proactive && t.timeline[0]?.by === BY && t.timeline.every((e, i) => i === 0 || e.step === 'note'))
      .filter((t) => !PLAYBOOK[t.kind]?.staffOnly);
    for (const t of stalled) {
      log.warn({ ticketId: t.id, deviceId: t.deviceId, kind: t.kind }, 'resuming a ticket opened before a restart: contacting the customer now');
      proceed(t, Math.max(now, t.updatedAt));
    }
    return stalled;
  }

  function clear(customerId: string, deviceId: string, s: Extract<Signal, { type: 'clear' }>, now: number): void {
    const t = store.findOpen(customerId, deviceId, s.kind);
    const customer = directory.customer(customerId);
    const device = directory.device(customerId, deviceId);
    if (!t || !customer || !device) return;
    const zone = zoneOf(customer.preferences);
    const hhmm = (at: number): string => localHhmm(at, offsetMinutesAt(zone, at));
    const play = PLAYBOOK[s.kind] ?? FALLBACK_PLAY;
    const seen = `confirmed by telemetry at ${hhmm(s.at)}: ${s.evidence.observed}`;
    let resolution: string;
    if (t.state === 'action-sent' && play.remoteText) {
      // the workshop check becomes a booking offered with its free slots (the ticket update carries them)
      const after = play.offerAfterFix ? `; ${play.offerAfterFix}: ${offerFor(customer, device, t, now).text}` : '';
      resolution = `Fixed remotely: ${play.remoteText} at ${hhmm(t.actionSentAt ?? now)}, ${seen}${after}.`;
    } else {
      resolution = `Recovered: ${seen}.`;
    }
    apply(life.resolve(t, { at: now, resolution, by: BY }), now, 'resolved', t);
    log.info({ ticketId: t.id, deviceId, kind: s.kind }, 'ticket resolved');
  }

  /** Remembers that a command belongs to a ticket, so the device's result lands on its timeline. */
  function track(commandId: string, ticketId: string): void {
    expectResult(commandId, ticketId);
  }

  function signal(customerId: string, deviceId: string, s: Signal, now: number): void {
    if (s.type === 'fire') fire(customerId, deviceId, s, now);
    else clear(customerId, deviceId, s, now);
  }

  return {
    track,
    resume,
    /** the commands awaiting a result (oldest first) and how many were forgotten: a checkpoint's part (helpdesk/checkpoint.ts) */
    snapshot: (): IncidentsSnapshot => ({ actions: new Map(actions), forgotten }),
    restore(s: IncidentsSnapshot): void {
      for (const [k, v] of s.actions) actions.set(k, v);
      forgotten = s.forgotten;
    },
    /** commands awaiting a result */
    pending: (): number => actions.size,
    signal,
    /** each of a reading's signals in turn (by index: a `for..of`'s iterator objects were garbage a message) */
    signalAll(customerId: string, deviceId: string, signals: readonly Signal[], now: number): void {
      for (let i = 0; i < signals.length; i++) signal(customerId, deviceId, signals[i]!, now);
    },
    /** A device reported the outcome of a command the helpdesk sent. */
    commandResult(customerId: string, deviceId: string, r: { commandId: string; ok: boolean; code?: string; detail?: string }, at: number): void {
      const ticketId = actions.get(r.commandId);
      if (!ticketId) return;
      actions.delete(r.commandId);
      const t = store.get(ticketId);
      if (!t || t.state !== 'action-sent') return;
      if (r.ok) {
        apply(life.confirmAction(t, { at, detail: { commandId: r.commandId, accepted: true }, by: deviceId }), at, 'device accepted the action', t);
        return;
      }
      const failed = apply(life.failAction(t, { at, detail: { commandId: r.commandId, code: r.code, detail: r.detail }, by: deviceId }), at, 'device refused the action', t);
      const customer = directory.customer(customerId);
      const device = directory.device(customerId, deviceId);
      if (!customer || !device) return;
      const o = offerFor(customer, device, failed, at);
      apply(life.escalate(failed, { at, reason: `remote action failed: ${r.code ?? 'unknown'}`, offer: o.offer, by: BY }), at, o.text, failed);
    },
  };
}
