/**
 * Notifications that leave evernet, from flags (helpdesk/notify, docs/customers.md); off unless given:
 *
 *   --notify-webhook URL    POST each contact as JSON, signed with --notify-secret (both required together)
 *   --notify-secret S       the HMAC-SHA256 key the receiver checks the signature with
 *   --notify-smtp HOST:PORT e-mail contacts on the e-mail channel through this SMTP server
 *   --notify-from ADDR      the sender (required with --notify-smtp)
 *   --notify-to ADDR        a fixed recipient; default the customer's address in the registry
 */
import type { NotifyConfig } from '../helpdesk/notify/notifier.js';
import { UsageError } from './errors.js';
import { parseHostPort } from './host-port.js';

export const NOTIFY_OPTIONS = {
  'notify-webhook': { type: 'string' },
  'notify-secret': { type: 'string' },
  'notify-smtp': { type: 'string' },
  'notify-from': { type: 'string' },
  'notify-to': { type: 'string' },
} as const;

type Values = { [K in keyof typeof NOTIFY_OPTIONS]?: string };

/** The notify configuration the flags name, or undefined (off). */
export function notifyFrom(values: Values): NotifyConfig | undefined {
  const config: NotifyConfig = {};
  const url = values['notify-webhook'];
  if (url !== undefined) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--notify-webhook must be an http(s) URL, got '${url}'`);
    const secret = values['notify-secret'];
    if (!secret) throw new UsageError('--notify-webhook needs --notify-secret S: the receiver checks each POST against it');
    config.webhook = { url, secret };
  } else if (values['notify-secret'] !== undefined) throw new UsageError('--notify-secret is only used with --notify-webhook URL');
  if (values['notify-smtp'] !== undefined) {
    const { host, port } = parseHostPort(values['notify-smtp'], '--notify-smtp');
    const from = values['notify-from'];
    if (!from) throw new UsageError('--notify-smtp needs --notify-from ADDR, the sender of the e-mails');
    config.email = { host, port, from, ...(values['notify-to'] ? { to: values['notify-to'] } : {}) };
  } else if (values['notify-from'] !== undefined || values['notify-to'] !== undefined) throw new UsageError('--notify-from and --notify-to are only used with --notify-smtp HOST:PORT');
  return config.webhook || config.email ? config : undefined;
}
