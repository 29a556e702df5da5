/**
 * The e-mail adapter: the contact's text as a plain-text e-mail over SMTP (nodemailer). The
 * recipient is the configured `to`, else the customer's address from the registry; with neither,
 * a coded error that is not retried.
 */
import nodemailer from 'nodemailer';
import { NOTIFY_ERR, NotifyError, type Notification, type NotifyAdapter } from './adapter.js';

export interface EmailOptions {
  host: string;
  port: number;
  from: string;
  /** a fixed recipient (a team inbox, tests); default: the customer's address */
  to?: string;
  /** the customer's e-mail address, if the registry has one */
  addressOf?: (customerId: string) => string | undefined;
  /** STARTTLS/TLS off unless asked (a local relay); default false */
  secure?: boolean;
  /** ms for connecting and for each SMTP step; default 10000 */
  timeoutMs?: number;
  /** which contacts go out here; default those whose channel is 'email' */
  accepts?: (n: Notification) => boolean;
}

export function createEmailAdapter(options: EmailOptions): NotifyAdapter {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ignoreTLS: !(options.secure ?? false),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    name: 'email',
    accepts: options.accepts ?? ((n) => n.channel === 'email'),
    async send(n: Notification): Promise<void> {
      const to = options.to ?? options.addressOf?.(n.customerId);
      if (!to) throw new NotifyError(NOTIFY_ERR.NO_ADDRESS, `no e-mail address for customer ${n.customerId}`, false);
      try {
        await transport.sendMail({
          from: options.from,
          to,
          subject: `evernet: about your ${n.deviceId} (ticket ${n.ticketId})`,
          text: n.text,
          headers: { 'x-evernet-ticket': n.ticketId },
        });
      } catch (e) {
        const err = e as Error & { code?: string; responseCode?: number };
        if (err.responseCode !== undefined) throw new NotifyError(NOTIFY_ERR.SMTP, `${err.responseCode} ${err.message}`);
        if (err.code === 'ETIMEDOUT') throw new NotifyError(NOTIFY_ERR.TIMEOUT, `smtp: ${err.message}`);
        throw new NotifyError(NOTIFY_ERR.UNREACHABLE, `smtp: ${err.code ?? ''} ${err.message}`);
      }
    },
    close: () => transport.close(),
  };
}
