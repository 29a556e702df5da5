/**
 * Everything the helpdesk says goes through the outbox: it stamps event time and sequence numbers,
 * gives commands deterministic ids, and collects messages that the service then publishes. No I/O.
 */
import { deviceKey, deviceTopic, serviceTopic, stamp, type AnswerBody, type CommandRequest, type ContactBody, type Envelope, type TicketUpdateBody } from '../contracts/index.js';
import type { Ticket } from './tickets/lifecycle.js';

export interface OutMessage {
  topic: string;
  /** a body stamped with the envelope, checked against the contract when it is encoded */
  payload: Envelope & Record<string, unknown>;
  retain: boolean;
}

/**
 * `session` makes command ids unique across helpdesk restarts (a device's late result for a command
 * sent before a crash must not match a new command); the service passes its start time in base 36.
 */
/** the outbox's state in a checkpoint: its session and counters, so a restored helpdesk numbers on as the uninterrupted one */
export interface OutboxSnapshot {
  session: string | null;
  seqs: Map<string, number>;
  commandsTo: Map<string, number>;
  commanded: Set<string>;
  commands: number;
}

export function createOutbox(options: { session?: string } = {}) {
  const session = options.session || null;
  const prefix = session ? `c-${session}-` : 'c-';
  let pending: OutMessage[] = [];
  const seqs = new Map<string, number>();
  const commandsTo = new Map<string, number>();
  /** devices commanded since the last takeCommanded() */
  const commanded = new Set<string>();
  let commands = 0;

  const nextSeq = (sender: string): number => {
    const n = (seqs.get(sender) ?? 0) + 1;
    seqs.set(sender, n);
    return n;
  };

  return {
    /** Queues a command for a device; returns its id. */
    command(customerId: string, deviceId: string, at: number, request: CommandRequest): string {
      const key = deviceKey(customerId, deviceId);
      const n = (commandsTo.get(key) ?? 0) + 1;
      commandsTo.set(key, n);
      commanded.add(key);
      commands++;
      const commandId = `${prefix}${commands}`;
      pending.push({
        topic: deviceTopic(customerId, deviceId, 'command'),
        payload: stamp({ commandId, ...request }, at, nextSeq(`cmd/${key}`)),
        retain: false,
      });
      return commandId;
    },
    contact(customerId: string, at: number, p: ContactBody): void {
      pending.push({ topic: serviceTopic(customerId, 'contact'), payload: stamp(p, at, nextSeq(`contact/${customerId}`)), retain: false });
    },
    /** a ticket's change as the customer hears of it; `extra`: a satisfaction question, a booking (TicketUpdateBody) */
    ticket(t: Ticket, at: number, note: string, extra?: Pick<TicketUpdateBody, 'ask' | 'booking'>): void {
      pending.push({
        topic: serviceTopic(t.customerId, 'ticket'),
        payload: stamp({ ticketId: t.id, deviceId: t.deviceId, kind: t.kind, severity: t.severity, state: t.state, note, ...extra }, at, nextSeq(`ticket/${t.customerId}`)),
        retain: false,
      });
    },
    answer(customerId: string, at: number, p: AnswerBody): void {
      pending.push({ topic: serviceTopic(customerId, 'answer'), payload: stamp(p, at, nextSeq(`answer/${customerId}`)), retain: false });
    },
    /** Hands over and forgets the queued messages. */
    take(): OutMessage[] {
      const out = pending;
      pending = [];
      return out;
    },
    /** commands queued so far, in total */
    commandCount: (): number => commands,
    /** commands queued so far for one device (the replay's barrier) */
    commandCountFor: (customerId: string, deviceId: string): number => commandsTo.get(deviceKey(customerId, deviceId)) ?? 0,
    /** the devices commanded since the last call, each with its count so far (the replay's barrier, without a pass over every device) */
    takeCommanded(): Array<[string, number]> {
      const out = [...commanded].map((k): [string, number] => [k, commandsTo.get(k)!]);
      commanded.clear();
      return out;
    },
    /** the state a checkpoint holds; taken between windows, when nothing is queued (the service published it) */
    snapshot(): OutboxSnapshot {
      if (pending.length) throw new Error('outbox: a checkpoint while messages are queued (take() them first)');
      return { session, seqs: new Map(seqs), commandsTo: new Map(commandsTo), commanded: new Set(commanded), commands };
    },
    /** takes a snapshot's counters over; the session is the outbox's own (createOutbox({ session }) with the snapshot's) */
    restore(s: OutboxSnapshot): void {
      for (const [k, v] of s.seqs) seqs.set(k, v);
      for (const [k, v] of s.commandsTo) commandsTo.set(k, v);
      for (const k of s.commanded) commanded.add(k);
      commands = s.commands;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
