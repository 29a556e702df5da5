// What staff can do on a ticket: acknowledge, assign to me, contact the customer, send a remote
// command (checked against the contract by the server), resolve with a note, reopen. Field errors
// from the server appear under the field they belong to.
import { api } from './api.js';
import { fill, h, label, toast } from './dom.js';
import { state } from './state.js';

const MESSAGE = { name: 'text', type: 'textarea', label: 'Message on the device' };
export const COMMANDS = {
  'car-battery': [['battery-saver', [{ name: 'on', type: 'bool', label: 'Battery saver' }]], ['switch-off-consumer', [{ name: 'consumer', type: 'text', label: 'Consumer' }]], ['display-message', [MESSAGE]]],
  fridge: [['set-setpoint', [{ name: 'celsius', type: 'number', label: 'Set point (°C)', value: '4' }]], ['report-inventory', []], ['display-message', [MESSAGE]]],
  washer: [['start', []], ['pause', []], ['display-message', [MESSAGE]]],
};

let seq = 0;
function field(key, text, control) {
  const id = `f${++seq}`;
  control.id = id;
  control.dataset.field = key;
  control.setAttribute('aria-describedby', `${id}-err`);
  return h('div', { class: 'field' }, h('label', { for: id }, text), control, h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));
}

function showErrors(form, error) {
  for (const el of form.querySelectorAll('[data-field]')) el.removeAttribute('aria-invalid');
  for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
  const summary = form.querySelector('.form-error');
  summary.hidden = true;
  if (!error) return;
  const loose = [];
  for (const [key, msg] of Object.entries(error.fields ?? {})) {
    const el = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (!el) { loose.push(`${key}: ${msg}`); continue; }
    el.setAttribute('aria-invalid', 'true');
    const p = document.getElementById(`${el.id}-err`);
    p.textContent = msg;
    p.hidden = false;
  }
  if (loose.length || !error.fields) {
    summary.textContent = loose.length ? loose.join('; ') : error.message;
    summary.hidden = false;
  }
  (form.querySelector('[aria-invalid="true"]') ?? summary).focus?.();
}

/** Returns { el, update(ticket) }; `done(ticket)` is called with the ticket after every action. */
export function createActions(ticketId, kind, done) {
  async function run(verb, body, form, button, okText) {
    button.disabled = true;
    const r = await api('POST', `/tickets/${encodeURIComponent(ticketId)}/${verb}`, body);
    button.disabled = false;
    if (form) showErrors(form, r.ok ? null : r.error);
    if (!r.ok) {
      if (!form) toast(r.error.message);
      return false;
    }
    toast(okText);
    done(r.data.ticket);
    return true;
  }

  function form(name, title, fields, submitText, build, okText) {
    const submit = h('button', { class: 'btn primary', type: 'submit' }, submitText);
    const body = h('div', { class: 'fields' }, fields);
    const f = h('form', { novalidate: true, dataset: { action: name } }, body, h('p', { class: 'form-error', tabindex: '-1', hidden: true }), submit);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (await run(name, build(f), f, submit, okText)) f.reset();
    });
    return { details: h('details', { dataset: { action: name } }, h('summary', {}, title), f), form: f, body };
  }

  const value = (f, key) => f.querySelector(`[data-field="${key}"]`)?.value ?? '';
  const contact = form('contact', 'Contact the customer', [field('text', 'Message (optional: a standard one is sent otherwise)', h('textarea', { maxlength: 500 }))], 'Contact',
    (f) => (value(f, 'text').trim() ? { text: value(f, 'text') } : {}), 'Customer contacted');

  const commands = COMMANDS[kind] ?? [];
  const actionSelect = h('select', {}, commands.map(([a]) => h('option', { value: a }, label(a))));
  const params = h('div');
  const command = form('command', 'Send a remote command', [field('command.action', 'Command', actionSelect), params], 'Send command', () => {
    const c = { action: actionSelect.value };
    for (const el of params.querySelectorAll('[data-field]')) {
      const key = el.dataset.field.slice('command.'.length);
      if (el.dataset.type === 'number') c[key] = el.value.trim() === '' ? undefined : Number(el.value);
      else if (el.dataset.type === 'bool') c[key] = el.value === 'true';
      else c[key] = el.value;
    }
    if (c.action === 'display-message') c.ticketId = ticketId;
    return { command: c };
  }, 'Command sent; the device confirms by telemetry');
  const drawParams = () => {
    const spec = commands.find(([a]) => a === actionSelect.value)?.[1] ?? [];
    fill(params, ...spec.map((p) => {
      const control = p.type === 'bool' ? h('select', {}, h('option', { value: 'true' }, 'on'), h('option', { value: 'false' }, 'off'))
        : p.type === 'textarea' ? h('textarea', {}) : h('input', { type: p.type === 'number' ? 'number' : 'text', step: 'any', value: p.value ?? '' });
      control.dataset.type = p.type;
      return field(`command.${p.name}`, p.label, control);
    }));
  };
  actionSelect.addEventListener('change', drawParams);
  command.form.addEventListener('reset', () => setTimeout(drawParams));
  drawParams();

  const note = (label_) => [field('note', label_, h('textarea', { maxlength: 1000 }))];
  const resolve = form('resolve', 'Resolve', note('Resolution note'), 'Resolve', (f) => ({ note: value(f, 'note') }), 'Ticket resolved');
  const reopen = form('reopen', 'Reopen', note('Why it is back'), 'Reopen', (f) => ({ note: value(f, 'note') }), 'Ticket reopened');

  const ack = h('button', { class: 'btn', type: 'button', dataset: { action: 'acknowledge' } }, 'Acknowledge');
  const mine = h('button', { class: 'btn', type: 'button', dataset: { action: 'assign' } }, 'Assign to me');
  ack.addEventListener('click', () => run('acknowledge', {}, null, ack, 'Acknowledged'));
  mine.addEventListener('click', () => run('assign', {}, null, mine, `Assigned to ${state.me}`));

  const el = h('section', { class: 'panel actions', 'aria-label': 'Actions' }, h('h2', {}, 'Actions'),
    h('div', { class: 'quick' }, ack, mine), contact.details, command.details, resolve.details, reopen.details);
  return {
    el,
    update(t) {
      const resolved = t.state === 'resolved';
      resolve.details.hidden = resolved;
      reopen.details.hidden = !resolved;
      mine.disabled = t.assignee === state.me;
    },
  };
}
