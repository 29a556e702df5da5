// The page: session bootstrap, the header, and a hash router over the views.
import { api } from './api.js';
import { clear, time } from './dom.js';
import { connectLive, disconnectLive } from './live.js';
import * as devices from './devices.js';
import * as loads from './loads.js';
import * as login from './login.js';
import * as queue from './queue.js';
import * as ticket from './ticket.js';
import { on, state } from './state.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const logout = document.getElementById('logout');
const clock = document.getElementById('clock');
let cleanup = null;

const ROUTES = [
  [/^#\/queue(?:\?(.*))?$/, 'queue', (m) => queue.render(main, new URLSearchParams(m[1] ?? ''))],
  [/^#\/tickets\/([^/?]+)$/, 'queue', (m) => ticket.render(main, decodeURIComponent(m[1]))],
  [/^#\/devices$/, 'devices', () => devices.renderList(main)],
  [/^#\/devices\/([a-z0-9-]+)\/([a-z0-9-]+)$/, 'devices', (m) => devices.renderDetail(main, m[1], m[2]), (m) => `${m[1]}/${m[2]}`],
  [/^#\/loads$/, 'loads', () => loads.render(main)],
];

function route() {
  if (!state.me) return;
  const hash = location.hash || '#/queue';
  for (const [re, section, view, live] of ROUTES) {
    const m = re.exec(hash);
    if (!m) continue;
    cleanup?.();
    clear(main);
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    connectLive(live ? live(m) : null);
    cleanup = view(m) ?? null;
    if (!/^#\/queue/.test(hash)) main.focus({ preventScroll: true });
    return;
  }
  location.replace('#/queue');
}

function signedIn(session) {
  state.me = session.user.name;
  state.timeZone = session.timeZone ?? null;
  state.csrf = session.csrf;
  who.textContent = session.user.name;
  nav.hidden = false;
  logout.hidden = false;
  route();
}

function signedOut(message) {
  cleanup?.();
  cleanup = null;
  disconnectLive();
  Object.assign(state, { me: null, csrf: null });
  state.tickets.clear();
  state.loaded = false;
  nav.hidden = true;
  logout.hidden = true;
  who.textContent = '';
  document.getElementById('live').hidden = true;
  clear(main);
  login.render(main, signedIn, message);
}

logout.addEventListener('click', async () => {
  await api('DELETE', '/session');
  signedOut('You are logged out.');
});
on('unauthenticated', () => { if (state.me) signedOut('Your session has ended; please log in again.'); });
on('now', (now) => { clock.textContent = `event time ${time(now, state.timeZone, true)}`; });
window.addEventListener('hashchange', route);
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || !state.me || e.target.closest?.('input, select, textarea')) return;
  if (/^#\/tickets\//.test(location.hash)) location.hash = '#/queue';
  else if (/^#\/devices\/.+/.test(location.hash)) location.hash = '#/devices';
});

const r = await api('GET', '/session');
if (r.ok) signedIn(r.data);
else signedOut();
