// The page's only way to the server: JSON over /api/v1 with the CSRF token on state-changing calls.
import { state, emit } from './state.js';

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, error: { code: 'EVN_ERR_NETWORK', message: 'the dashboard cannot reach the helpdesk' } };
  }
  if (res.status === 204) return { ok: true, status: 204, data: null };
  // a body that is not JSON (a proxy's error page) has no data
  const data = await res.json().catch(() => null);
  if (res.ok) return { ok: true, status: res.status, data };
  const error = data?.error ?? { code: 'EVN_ERR_HTTP', message: `HTTP ${res.status}` };
  if (res.status === 401 && path !== '/session') emit('unauthenticated', error);
  return { ok: false, status: res.status, error };
}
