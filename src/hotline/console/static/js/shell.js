// The frame around every view: who is on duty (party and role, always visible), the views, the
// connection state, the alarm's mute control, the language switcher and logout.
import { h } from './dom.js';
import { LANGUAGES, label, language, onLanguageChange, setLanguage, t } from './i18n.js';

// Each language's name in itself, so anyone can find their own in the list.
const NATIVE = { en: 'English', he: 'עברית', ar: 'العربية' };

export function languagePicker() {
  const select = h('select', { id: 'lang-select', 'data-i18n-attr': 'aria-label:lang.label', 'aria-label': t('lang.label') },
    LANGUAGES.map((code) => h('option', { value: code, lang: code, text: NATIVE[code] })));
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value));
  onLanguageChange((lang) => { select.value = lang; });
  return select;
}

export function partyName(world, id, lang = language()) {
  const party = world.parties.find((p) => p.id === id);
  return party ? (party.names[lang] || party.names.en || id) : (id || t('party.none'));
}

export function buildHeader(header, { me, views, onLogout, onMute }) {
  const who = h('span', { class: 'who', id: 'who' });
  const renderWho = () => {
    who.replaceChildren(
      h('span', { class: `party-badge party-${me.party || 'none'}`, id: 'who-party', text: partyName(me.world, me.party) }),
      h('span', { class: 'role', id: 'who-role', text: t(`role.${me.role}`) }),
      h('bdi', { class: 'username', id: 'who-user', text: me.username }));
  };
  renderWho();
  onLanguageChange(renderWho);

  const nav = h('nav', { class: 'views-nav', 'data-i18n-attr': 'aria-label:nav.views', 'aria-label': t('nav.views') },
    views.map((view) => label('a', view.titleKey, { href: `#/${view.id}`, id: `nav-${view.id}`, class: 'nav-link' })));

  const conn = h('span', { id: 'conn', class: 'conn', role: 'status', dataset: { state: 'connecting' } },
    label('span', 'conn.connecting'));
  const mute = label('button', 'alarm.mute', { type: 'button', id: 'mute', class: 'btn', 'aria-pressed': 'false',
    title: t('alarm.mute_hint') });
  mute.addEventListener('click', onMute);
  const logout = label('button', 'auth.logout', { type: 'button', id: 'logout', class: 'btn' });
  logout.addEventListener('click', onLogout);

  header.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), label('span', 'app.title')),
    nav, who, h('span', { class: 'spacer' }), conn, mute, languagePicker(), logout);
  header.hidden = false;
  return {
    setConnection(state, info = {}) {
      conn.dataset.state = state;
      const key = `conn.${state}`;
      const text = label('span', key);
      conn.replaceChildren(text);
      if (state === 'reconnecting' && info.retryInMs) {
        conn.append(' ', h('span', { class: 'muted', text: t('conn.retry', { s: Math.ceil(info.retryInMs / 1000) }) }));
      }
    },
    setMute(ringing, muted) {
      mute.disabled = !ringing;
      mute.setAttribute('aria-pressed', String(muted));
      mute.dataset.i18n = muted ? 'alarm.unmute' : 'alarm.mute';
      mute.textContent = t(mute.dataset.i18n);
    },
    setActive(viewId) {
      for (const link of nav.querySelectorAll('a')) {
        if (link.id === `nav-${viewId}`) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
  };
}
