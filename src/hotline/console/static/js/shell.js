// The frame around every view: who is on duty (party and role, always visible), the views, the
// connection state, a slot for the staffed-desks strip, the language switcher and logout; one row.
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

export function buildHeader(header, { me, views, onLogout }) {
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
  // The mute control lives in the FLASH banner, which is up exactly while something rings (and M
  // works anywhere): a second one in the header only repeated it.
  const logout = label('button', 'auth.logout', { type: 'button', id: 'logout', class: 'btn' });
  logout.addEventListener('click', onLogout);
  // A place in the one header row for the staffed-desks strip (<div id="desk-strip">), empty if absent.
  const deskSlot = h('div', { class: 'desk-slot', id: 'desk-slot' });

  header.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), label('span', 'app.title')),
    nav, who, h('span', { class: 'spacer' }), deskSlot, conn, languagePicker(), logout);
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
    deskSlot,
    setActive(viewId) {
      for (const link of nav.querySelectorAll('a')) {
        if (link.id === `nav-${viewId}`) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
  };
}
