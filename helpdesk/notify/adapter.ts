/**
 * Notifications that leave evernet: a contact (or an offer) handed to an adapter (a signed
 * webhook, e-mail over SMTP). The MQTT contact topic stays as it is; adapters are extra and off by
 * default. An adapter either delivers or throws a NotifyError with its code; the dispatcher retries.
 */
import { codeTable, type Channel, type EvnErrorCode } from '../../contracts/index.js';

export const NOTIFY_ERR = codeTable({
  HTTP_STATUS: 'EVN_ERR_NOTIFY_HTTP_STATUS',
  UNREACHABLE: 'EVN_ERR_NOTIFY_UNREACHABLE',
  TIMEOUT: 'EVN_ERR_NOTIFY_TIMEOUT',
  SMTP: 'EVN_ERR_NOTIFY_SMTP',
  NO_ADDRESS: 'EVN_ERR_NOTIFY_NO_ADDRESS',
  QUEUE_FULL: 'EVN_ERR_NOTIFY_QUEUE_FULL',
  GAVE_UP: 'EVN_ERR_NOTIFY_GAVE_UP',
});

export class NotifyError extends Error {
  constructor(
    readonly code: EvnErrorCode,
    message: string,
    /** false: retrying cannot help (no address); the dispatcher records it and stops */
    readonly retryable = true,
  ) {
    super(`${code}: ${message}`);
    this.name = 'NotifyError';
  }
}

/** What goes out: the contact as the MQTT topic carries it, with its customer and event time. */
export interface Notification {
  kind: 'contact' | 'offer';
  customerId: string;
  ticketId: string;
  deviceId: string;
  channel: Channel;
  text: string;
  /** event time of the contact, ms */
  at: number;
}

export interface NotifyAdapter {
  /** 'webhook', 'email': how attempts are labelled */
  readonly name: string;
  /** which contacts this adapter carries; all when it returns true */
  accepts(n: Notification): boolean;
  /** delivers or throws (a NotifyError, or anything else, which the dispatcher codes as UNREACHABLE) */
  send(n: Notification): Promise<void>;
  close?(): void;
}
