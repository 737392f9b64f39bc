// The login screen. Messages say what happened and what to do: a wrong password, a throttled
// account, an unreachable server, or a session that ended.
import { h } from './dom.js';
import { label, t } from './i18n.js';
import { languagePicker } from './shell.js';

export function showLogin(root, { api, messageKey, onLoggedIn }) {
  const error = h('p', { class: 'form-error', id: 'login-error', role: 'alert' });
  if (messageKey) error.append(label('span', messageKey));
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const submit = label('button', 'login.submit', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' });
  const form = h('form', { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
    label('h1', 'login.title', { id: 'login-title' }),
    label('p', 'login.intro', { class: 'muted' }),
    h('div', { class: 'field' }, label('label', 'login.username', { for: 'login-username' }), user),
    h('div', { class: 'field' }, label('label', 'login.password', { for: 'login-password' }), pass),
    error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    if (!user.value.trim() || !pass.value) {
      error.append(label('span', 'login.missing'));
      return;
    }
    submit.disabled = true;
    try {
      await api.post('/api/v1/auth/login', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      await onLoggedIn();
    } catch (err) {
      const key = err.status === 401 ? 'login.wrong' : err.status === 429 ? 'login.throttled'
        : err.status === 0 ? 'login.unreachable' : 'login.failed';
      error.append(label('span', key));
      if (err.status === 429 || (err.status >= 400 && err.status !== 401)) {
        error.append(' ', h('span', { class: 'detail', dir: 'auto', text: err.message }));
      }
      pass.select();
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(h('div', { class: 'login-page' }, h('div', { class: 'login-lang' }, languagePicker()), form));
  (user.value ? pass : user).focus();
  return form;
}
