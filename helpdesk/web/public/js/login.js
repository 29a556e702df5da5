// The login form. The session cookie is HttpOnly; the page keeps only the CSRF token.
import { api } from './api.js';
import { h } from './dom.js';

export function render(main, onLogin, message) {
  const err = (id) => h('p', { class: 'field-error', id, hidden: true });
  const name = h('input', { id: 'login-name', name: 'name', autocomplete: 'username', required: true, 'aria-describedby': 'login-name-err', autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'login-password-err' });
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: !message }, message ?? '');
  const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Log in');
  const form = h('form', { class: 'panel login', novalidate: true },
    h('h1', {}, 'Log in'), h('p', { class: 'muted' }, 'Support staff of the evernet helpdesk.'),
    h('div', { class: 'field' }, h('label', { for: 'login-name' }, 'Name'), name, err('login-name-err')),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password, err('login-password-err')),
    formError, submit,
    h('p', { class: 'hint' }, 'No account yet? Create one on the helpdesk machine: ', h('code', {}, 'evernet staff add NAME')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of [name, password]) { el.removeAttribute('aria-invalid'); document.getElementById(`${el.id}-err`).hidden = true; }
    formError.hidden = true;
    submit.disabled = true;
    const r = await api('POST', '/session', { name: name.value.trim(), password: password.value });
    submit.disabled = false;
    if (r.ok) return onLogin(r.data);
    const fields = r.error.fields ?? {};
    for (const [key, el] of [['name', name], ['password', password]]) {
      if (!fields[key]) continue;
      el.setAttribute('aria-invalid', 'true');
      const p = document.getElementById(`${el.id}-err`);
      p.textContent = fields[key];
      p.hidden = false;
    }
    if (!r.error.fields) { formError.textContent = r.error.message; formError.hidden = false; }
    password.value = '';
    (form.querySelector('[aria-invalid="true"]') ?? password).focus();
  });
  main.append(form);
  name.focus();
}
