// One ticket: header with state and SLA, the evidence that opened it, the device's telemetry around
// the anomaly (detection marked), the actions, and the timeline. Updates live.
import { createActions } from './actions.js';
import { api } from './api.js';
import { telemetryChart } from './chart.js';
import { badge, duration, fill, h, label, readingLabel, slaBadge, time, timeEl } from './dom.js';
import { on, setNow, state, upsert } from './state.js';
import { wallClock, zoneLabel } from './time.js';

const CHANNELS = ['car-display', 'app-push', 'sms', 'email', 'phone'];
/** the customer's answers through the app (helpdesk/dialogue) */
const REPLIED = { 'accept-fix': 'The customer accepted the fix', decline: 'The customer declined', 'call-me': 'The customer asks for a call', 'pick-slot': 'The customer picked a slot' };

/** 'via car-display, shown on car' */
const via = (d) => `via ${d.channel ?? d.contact?.channel}${d.shownOn ? `, shown on ${d.shownOn}` : ''}`;

function describe(e) {
  const d = e.detail ?? {};
  switch (e.step) {
    case 'opened': return d.reopened ? ['Reopened', d.note] : ['Opened', `${label(d.kind)}, ${d.severity}${d.proactive ? ', noticed proactively' : ''}`];
    case 'contacted': return ['Contacted the customer', via(d)];
    case 'action-sent': return ['Remote action sent', `${d.action} (${d.commandId})`];
    case 'action-confirmed': return ['Device confirmed the action', d.commandId];
    case 'action-failed': return ['Device refused the action', [d.code, d.detail].filter(Boolean).join(': ')];
    case 'resolved': return ['Resolved', d.resolution];
    case 'escalated': return ['Escalated', [d.reason, d.offer?.workshop ? `offer: ${d.offer.workshop}` : d.offer?.technician ? 'offer: technician visit' : '', d.contact ? `told the customer ${via(d)}` : ''].filter(Boolean).join('; ')];
    default:
      if (d.kind === 'acknowledged') return ['Acknowledged', ''];
      if (d.kind === 'assigned') return [`Assigned to ${d.to}`, ''];
      if (d.kind === 'contacted') return ['Contacted the customer', via(d)];
      if (d.kind === 'command') return ['Remote action sent', `${d.action} (${d.commandId})`];
      if (d.kind === 'not-sent') return ['Contact not sent', d.reason];
      if (d.kind === 'reply') return [REPLIED[d.answer] ?? 'The customer replied', d.text];
      if (d.kind === 'satisfaction') return ['The customer rated the ticket', `${d.score} of 5`];
      return ['Note', d.text];
  }
}

function value(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function render(main, id) {
  const head = h('div', { class: 'head' });
  const evidence = h('section', { class: 'panel', 'aria-labelledby': 'ev-title' }, h('h2', { id: 'ev-title' }, 'Evidence'));
  const chartBox = h('div', { class: 'chart', id: 'ticket-chart', role: 'img', 'aria-label': 'Device telemetry around the anomaly' });
  const chartNote = h('p', { class: 'legend-note' });
  const chartPanel = h('section', { class: 'panel', 'aria-labelledby': 'ch-title' }, h('h2', { id: 'ch-title' }, 'Telemetry around the anomaly'), chartBox, chartNote);
  const dialogue = h('section', { class: 'panel', id: 'dialogue', 'aria-labelledby': 'dl-title' }, h('h2', { id: 'dl-title' }, "The customer's side"));
  let customerSide = { booking: null, satisfaction: null };
  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const side = h('div');
  const consent = h('section', { class: 'panel', id: 'consent', 'aria-labelledby': 'cs-title' }, h('h2', { id: 'cs-title' }, "Customer's consent"));
  const offers = h('section', { class: 'panel', id: 'offers', 'aria-labelledby': 'of-title' }, h('h2', { id: 'of-title' }, 'Offers'));
  const root = h('article', { class: 'ticket', dataset: { id } }, head, h('div', { class: 'detail' }, h('div', {}, evidence, chartPanel, dialogue), side));
  main.append(h('p', {}, h('a', { href: '#/queue' }, '← Queue')), root);

  let ticket = null;
  let actions = null;
  let chart = null;
  let chartTimer = null;

  function drawHead(t) {
    fill(head, 
      h('h1', {}, label(t.kind)), badge(t.severity, `sev-${t.severity}`), h('span', { id: 'ticket-state', class: `badge st-${t.state}` }, label(t.state)),
      t.proactive ? badge('proactive', 'proactive') : null, h('span', { id: 'ticket-sla' }, slaBadge(t.sla, state.now ?? t.updatedAt)),
      h('p', { class: 'meta' }, h('a', { href: `#/devices/${t.customerId}/${t.deviceId}` }, t.device), ` · ${t.customer} · opened `, timeEl(t.openedAt, t.timeZone, true),
        t.timeToContactMs !== null ? ` · contacted after ${duration(t.timeToContactMs)}` : ' · not contacted yet',
        t.assignee ? ` · assigned to ${t.assignee}` : '', ' · ', h('span', { class: 'mono' }, t.id),
        ' · ', h('span', { id: 'ticket-zone', title: "Every time of this ticket is on the customer's clock" }, `customer's time: ${zoneLabel(t.openedAt, t.timeZone)}`)));
  }

  function drawEvidence(t) {
    const ev = t.evidence ?? {};
    const keys = [...['expected', 'observed'].filter((k) => k in ev), ...Object.keys(ev).filter((k) => !['expected', 'observed', 'since'].includes(k)).sort()];
    fill(evidence, h('h2', { id: 'ev-title' }, 'Evidence'),
      h('dl', { class: 'kv', id: 'evidence' }, keys.map((k) => [h('dt', {}, readingLabel(k)), h('dd', {}, value(ev[k]))]),
        typeof ev.since === 'number' ? [h('dt', {}, 'Anomaly since'), h('dd', {}, timeEl(ev.since, t.timeZone, true))] : null),
      t.resolution ? h('p', {}, h('strong', {}, 'Resolution: '), t.resolution) : null);
  }

  /** What the customer was sent, word for word (every contact keeps it); older tickets may lack it. */
  function message(e) {
    const d = e.detail ?? {};
    if (typeof d.contact?.text === 'string') {
      return h('blockquote', { class: 'message', dataset: { channel: d.contact.channel } }, d.contact.text);
    }
    // held back by the customer's consent: what would have been sent
    if (d.kind === 'not-sent' && typeof d.contactText === 'string') return h('blockquote', { class: 'message muted' }, d.contactText);
    if (e.step === 'contacted' || d.kind === 'contacted') return h('div', { class: 'muted' }, 'The text sent was not recorded.');
    return null;
  }

  function drawTimeline(t) {
    let day = null;
    fill(timeline, ...t.timeline.map((e) => {
      const [what, detail] = describe(e);
      // the date where the customer's day changes (and on the first entry); the time always, with the zone
      const w = wallClock(e.at, t.timeZone);
      const newDay = `${w.year}-${w.month}-${w.day}` !== day;
      day = `${w.year}-${w.month}-${w.day}`;
      return h('li', { class: `step-${e.step}`, dataset: { step: e.step, by: e.by } },
        h('div', { class: 'what' }, what), detail ? h('div', {}, detail) : null, message(e),
        h('div', { class: 'when' }, timeEl(e.at, t.timeZone, newDay), ` · by ${e.by}`));
    }));
  }

  function show(t) {
    ticket = t;
    upsert(t);
    document.title = `${label(t.kind)} · ${t.device} · evernet`;
    drawHead(t);
    drawEvidence(t);
    drawTimeline(t);
    drawDialogue(t);
    if (!actions) {
      actions = createActions(t.id, t.deviceKind, (next) => { show(next); reloadChart(); });
      side.append(actions.el, h('section', { class: 'panel', 'aria-labelledby': 'tl-title' }, h('h2', { id: 'tl-title' }, 'Timeline'), timeline), consent, offers);
      loadConsent(t.customerId);
      loadOffers(t.customerId, t.timeZone);
    }
    actions.update(t);
  }

  /**
   * The customer's side of the ticket: a call they asked for or a decline staff must follow up (their
   * last answer), the booking (workshop, slot, replacement car, or the slots offered) and the
   * satisfaction score. Live updates carry no booking: the last one read stays.
   */
  function drawDialogue(t) {
    if ('booking' in t) customerSide = { booking: t.booking, satisfaction: t.satisfaction };
    const { booking: b, satisfaction: s } = customerSide;
    const last = [...t.timeline].reverse().find((e) => e.by === 'customer' && e.detail?.kind === 'reply');
    const flag = last?.detail.callRequested ? h('p', { id: 'call-requested' }, badge('call requested', 'sev-high'), ' The customer asks for a call.')
      : last?.detail.followUp ? h('p', { id: 'follow-up' }, badge('follow up', 'sev-medium'), ' The customer declined: nothing was sent to the device.') : null;
    const slot = (x) => `${time(x.from, t.timeZone)}–${time(x.to, t.timeZone)}`;
    const booking = b
      ? h('dl', { class: 'kv', id: 'booking', dataset: { state: b.state } },
        h('dt', {}, 'Workshop'), h('dd', {}, b.workshop), h('dt', {}, 'Booking'), h('dd', {}, badge(label(b.state), `st-${b.state}`)),
        h('dt', {}, 'Slot'), h('dd', {}, b.slot ? slot(b.slot) : `${b.offered.length} free slots offered`),
        h('dt', {}, 'Replacement car'), h('dd', {}, b.replacementCar ?? '—'))
      : h('p', { class: 'muted' }, 'No booking.');
    const score = s ? h('p', { id: 'satisfaction' }, s.score === null ? `Asked how satisfied they are ${time(s.askedAt, t.timeZone)}: not answered yet.` : `Satisfaction: ${s.score} of 5.`) : null;
    fill(dialogue, h('h2', { id: 'dl-title' }, "The customer's side"), flag, booking, score);
  }

  /** what the customer allows, read-only (they change it in their app; the view is in their audit log) */
  async function loadConsent(customerId) {
    const r = await api('GET', `/customers/${encodeURIComponent(customerId)}/consent`);
    if (!r.ok || !root.isConnected) return;
    const c = r.data.consent;
    const purpose = (p) => {
      const x = c.purposes[p];
      const allowed = CHANNELS.filter((ch) => x?.granted && (x.channels[ch] ?? true));
      return allowed.length === 0 ? 'no' : allowed.length === CHANNELS.length ? 'yes' : `only by ${allowed.join(', ')}`;
    };
    const quiet = c.quietHours === undefined ? 'as registered' : c.quietHours === null ? 'none' : `${c.quietHours.from}–${c.quietHours.to}`;
    const rows = [['Service contacts', purpose('service')], ['Offers', purpose('offers')], ['Partner offers', purpose('partner-offers')],
      ['Blacklist', c.blacklist.join(', ') || 'none'], ['Quiet hours', quiet], ['Contacts a day', c.maxContactsPerDay ?? 'no cap']];
    fill(consent, h('h2', { id: 'cs-title' }, "Customer's consent"),
      h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
      h('p', { class: 'muted' }, `Set by the customer in their app (${r.data.history.length} changes); read-only here.`));
  }

  /** next-best offers made to the customer (or held back), each with its rule, reason and outcome; read-only, audited */
  async function loadOffers(customerId, zone) {
    const r = await api('GET', `/customers/${encodeURIComponent(customerId)}/offers`);
    if (!r.ok || !root.isConnected) return;
    const list = r.data.offers;
    const item = (o) => h('li', { dataset: { offer: o.id, state: o.state } },
      h('strong', {}, o.offer), ' ', badge(label(o.state), `st-${o.state}`), ' ',
      h('span', { class: 'muted' }, `${time(o.at, zone)}, ${o.channel ? `via ${o.channel}` : `not sent (${o.code})`}${o.partner ? `, from ${o.partner.name}` : ''}`),
      h('p', {}, o.reason), o.channel ? h('p', { class: 'muted' }, `“${o.text}”`) : h('p', { class: 'muted' }, o.channelReason));
    fill(offers, h('h2', { id: 'of-title' }, 'Offers'),
      list.length ? h('ul', { class: 'offers' }, [...list].reverse().map(item)) : h('p', { class: 'muted' }, 'No offers made.'),
      h('p', { class: 'muted' }, 'Made by transparent rules, only with the customer\'s opt-in; read-only here.'));
  }

  async function loadChart() {
    const r = await api('GET', `/tickets/${encodeURIComponent(id)}/telemetry`);
    if (!r.ok || !root.isConnected) return;
    const d = r.data;
    const marks = { since: d.since, detectedAt: d.detectedAt, resolvedAt: d.resolvedAt };
    const zone = ticket?.timeZone;
    chartNote.textContent = `Shaded: the anomaly from ${time(d.since, zone)}; red line: detected at ${time(d.detectedAt, zone)}${d.resolvedAt ? `; green line: resolved at ${time(d.resolvedAt, zone)}` : ''}. ${d.points.length} readings, ${time(d.from, zone)}–${time(d.to, zone)}.`;
    if (chart) { chart.setData(d.points); chart.setMarks(marks); return; }
    chart = telemetryChart(chartBox, d.deviceKind, d.points, marks, zone);
  }
  const reloadChart = () => { clearTimeout(chartTimer); chartTimer = setTimeout(loadChart, 800); };

  async function load() {
    const r = await api('GET', `/tickets/${encodeURIComponent(id)}`);
    if (!root.isConnected) return;
    if (r.ok && ticket && r.data.ticket.version < ticket.version) return; // an action's answer came first
    if (!r.ok && ticket) return; // keep what is shown; the next change fetches again
    if (!r.ok) {
      fill(root, h('div', { class: 'panel empty' }, h('h2', {}, r.status === 404 ? 'No such ticket' : 'The ticket could not be loaded'), h('p', {}, r.error.message), h('p', {}, h('a', { href: '#/queue' }, 'Back to the queue'))));
      return;
    }
    setNow(r.data.now);
    const first = !ticket;
    const changed = first || r.data.ticket.version !== ticket.version;
    show(r.data.ticket);
    if (first) loadChart();
    else if (changed) reloadChart();
    if (newest > ticket.version) refetch(); // changed again while this answer was on its way
  }

  // live events carry the summary: a newer version means a longer timeline, so fetch the ticket again
  let refetchTimer = null;
  let newest = 0;
  const refetch = () => { clearTimeout(refetchTimer); refetchTimer = setTimeout(load, 50); };
  const offs = [
    on('ticket', ({ ticket: t }) => {
      if (t.id !== id) return;
      newest = Math.max(newest, t.version);
      if (!ticket || t.version < ticket.version) return;
      if (t.version > ticket.version) refetch();
      else { ticket = { ...ticket, ...t, timeline: ticket.timeline, evidence: ticket.evidence, resolution: ticket.resolution }; drawHead(ticket); }
    }),
    on('now', () => { const el = document.getElementById('ticket-sla'); if (ticket && el) fill(el, slaBadge(ticket.sla, state.now)); }),
    on('resync', load),
  ];
  load();
  return () => { offs.forEach((off) => off()); clearTimeout(chartTimer); clearTimeout(refetchTimer); chart?.destroy(); document.title = 'evernet helpdesk'; };
}
