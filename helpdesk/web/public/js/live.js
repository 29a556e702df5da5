// The live stream (server-sent events). One EventSource at a time; a device page asks for that
// device's telemetry too. The browser reconnects by itself and sends Last-Event-ID, so the server
// replays what was missed; after a `reset` (it could not) the views refetch. Tickets are upserted
// by id and version, so nothing shows twice.
import { api } from './api.js';
import { emit, setNow, upsert } from './state.js';

let es = null;
let device = null;
let lastId = null;
let retry = null;

function setLive(on, text) {
  const el = document.getElementById('live');
  el.hidden = false;
  el.className = `live ${on ? 'on' : 'off'}`;
  el.textContent = text;
}

const handlers = {
  hello: (d) => setNow(d.now),
  reset: () => emit('resync'),
  clock: (d) => setNow(d.now),
  ticket: (d) => {
    setNow(d.at);
    const how = upsert(d.ticket);
    if (how) emit('ticket', { ticket: d.ticket, how, note: d.note });
  },
  availability: (d) => emit('availability', d),
  load: (d) => emit('load', d.load),
  problem: (d) => {
    setNow(d.at);
    emit('problem', d.problem);
  },
  telemetry: (d) => emit('telemetry', d),
};

export function connectLive(deviceKey = null) {
  if (es && device === deviceKey && es.readyState !== EventSource.CLOSED) return;
  disconnectLive();
  device = deviceKey;
  const q = new URLSearchParams();
  if (deviceKey) q.set('device', deviceKey);
  if (lastId) q.set('lastEventId', lastId);
  es = new EventSource(`/api/v1/events?${q}`);
  es.onopen = () => setLive(true, 'live');
  es.onerror = () => {
    setLive(false, 'reconnecting…');
    if (es.readyState === EventSource.CLOSED) {
      // refused (e.g. the session ended): ask why, then try again
      clearTimeout(retry);
      retry = setTimeout(async () => {
        const r = await api('GET', '/session');
        if (r.ok) connectLive(device);
      }, 2000);
    }
  };
  for (const [type, fn] of Object.entries(handlers)) {
    es.addEventListener(type, (ev) => {
      if (ev.lastEventId) lastId = ev.lastEventId;
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      fn(data);
    });
  }
}

export function disconnectLive() {
  clearTimeout(retry);
  if (es) es.close();
  es = null;
}
