// What the page knows: who is logged in, event time, and the tickets it has seen (upserted by id).
export const state = {
  me: null,
  csrf: null,
  now: null,
  /** the zone of the event-time clock in the header (GET /session); a ticket's, device's or load's times use its customer's */
  timeZone: null,
  sla: null,
  /** id -> ticket summary or detail */
  tickets: new Map(),
  loaded: false,
};

const bus = new EventTarget();

export function on(type, fn) {
  const l = (e) => fn(e.detail);
  bus.addEventListener(type, l);
  return () => bus.removeEventListener(type, l);
}

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

export function setNow(now) {
  if (typeof now === 'number' && (state.now === null || now > state.now)) {
    state.now = now;
    emit('now', now);
  }
}

/** Keeps the newer copy of a ticket (a longer timeline wins); returns 'new', 'changed', 'same' or null (older, ignored). */
export function upsert(t) {
  const old = state.tickets.get(t.id);
  if (old && old.version > t.version) return null;
  const keep = old && old.timeline && !t.timeline && old.version === t.version;
  state.tickets.set(t.id, keep ? { ...old, ...t } : t);
  if (!old) return 'new';
  return old.version === t.version ? 'same' : 'changed';
}
