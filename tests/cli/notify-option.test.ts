import { describe, expect, it } from 'vitest';
import { notifyFrom } from '../../cli/notify-option.js';

describe('notify flags', () => {
  it('off unless asked', () => {
    expect(notifyFrom({})).toBeUndefined();
  });
  it('a webhook with its secret, SMTP with its sender', () => {
    expect(notifyFrom({ 'notify-webhook': 'http://127.0.0.1:9000/hook', 'notify-secret': 's', 'notify-smtp': 'mail.local:2525', 'notify-from': 'helpdesk@evernet.test' })).toEqual({
      webhook: { url: 'http://127.0.0.1:9000/hook', secret: 's' },
      email: { host: 'mail.local', port: 2525, from: 'helpdesk@evernet.test' },
    });
  });
  it('incomplete or wrong flags are usage errors, not a helpdesk that silently sends nothing', () => {
    expect(() => notifyFrom({ 'notify-webhook': 'http://x/' })).toThrow(/--notify-secret/);
    expect(() => notifyFrom({ 'notify-webhook': 'ftp://x/', 'notify-secret': 's' })).toThrow(/http\(s\) URL/);
    expect(() => notifyFrom({ 'notify-secret': 's' })).toThrow(/only used with --notify-webhook/);
    expect(() => notifyFrom({ 'notify-smtp': 'mail.local:2525' })).toThrow(/--notify-from/);
    expect(() => notifyFrom({ 'notify-smtp': 'mail.local', 'notify-from': 'a@b' })).toThrow(/HOST:PORT/);
    expect(() => notifyFrom({ 'notify-to': 'a@b' })).toThrow(/only used with --notify-smtp/);
  });
});
