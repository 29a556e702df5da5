/**
 * Everything the helpdesk says goes through the outbox: it stamps event time and sequence numbers,
 * gives commands deterministic ids, and collects messages that the service then publishes. No I/O.
 */
import { deviceTopic, serviceTopic, type Channel } from '../contracts/index.js';
import type { CommandBody } from '../devices/kinds/model.js';
import type { Ticket } from './tickets/lifecycle.js';

export interface OutMessage {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

export type CommandInput = CommandBody extends infer C ? (C extends CommandBody ? Omit<C, 'commandId'> : never) : never;

/**
 * `session` makes command ids unique across helpdesk restarts (a device's late result for a command
 * sent before a crash must not match a new command); the service passes its start time in base 36.
 */
export function createOutbox(options: { session?: string } = {}) {
  const prefix = options.session ? `c-${options.session}-` : 'c-';
  let pending: OutMessage[] = [];
  const seqs = new Map<string, number>();
  const commandsTo = new Map<string, number>();
  let commands = 0;

  const nextSeq = (sender: string): number => {
    const n = (seqs.get(sender) ?? 0) + 1;
    seqs.set(sender, n);
    return n;
  };

  return {
    /** Queues a command for a device; returns its id. */
    command(customerId: string, deviceId: string, at: number, body: CommandInput): string {
      const key = `${customerId}/${deviceId}`;
      const n = (commandsTo.get(key) ?? 0) + 1;
      commandsTo.set(key, n);
      commands++;
      const commandId = `${prefix}${commands}`;
      pending.push({
        topic: deviceTopic(customerId, deviceId, 'command'),
        payload: { v: 1, ts: at, seq: nextSeq(`cmd/${key}`), commandId, ...body },
        retain: false,
      });
      return commandId;
    },
    contact(customerId: string, at: number, p: { ticketId: string; deviceId: string; channel: Channel; text: string }): void {
      pending.push({ topic: serviceTopic(customerId, 'contact'), payload: { v: 1, ts: at, seq: nextSeq(`contact/${customerId}`), ...p }, retain: false });
    },
    ticket(t: Ticket, at: number, note: string): void {
      pending.push({
        topic: serviceTopic(t.customerId, 'ticket'),
        payload: { v: 1, ts: at, seq: nextSeq(`ticket/${t.customerId}`), ticketId: t.id, deviceId: t.deviceId, kind: t.kind, severity: t.severity, state: t.state, note },
        retain: false,
      });
    },
    answer(customerId: string, at: number, p: Record<string, unknown>): void {
      pending.push({ topic: serviceTopic(customerId, 'answer'), payload: { v: 1, ts: at, seq: nextSeq(`answer/${customerId}`), ...p }, retain: false });
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
    commandCountFor: (customerId: string, deviceId: string): number => commandsTo.get(`${customerId}/${deviceId}`) ?? 0,
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
