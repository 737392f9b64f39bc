// The console's entry point: session, the shared context every view gets, and the view router.
//
// Adding a view: write js/views/<name>/index.js exporting {id, titleKey, mount(root, ctx)} where
// mount returns an unmount function, list it in js/views/index.js, and add titleKey and the view's
// strings to all three catalogs in static/i18n/. See views/index.js for the ctx contract.
import { Alarm } from './alarm.js';
import { createApi } from './api.js';
import { mountDesks } from './desks/index.js';
import { h } from './dom.js';
import { applyI18n, language, loadCatalogs, savedLanguage, setLanguage, t } from './i18n.js';
import { showLogin } from './login.js';
import { MessageStore } from './messages.js';
import { buildHeader, partyName } from './shell.js';
import { EventBus, LiveStream } from './stream.js';
import { views } from './views/index.js';
import { watchDeliveryFailures } from './escalation/alerts.js';

const main = document.getElementById('main');
const header = document.getElementById('bar');
const banner = document.getElementById('alarm');
let session = null; // everything that lives only while logged in

const api = createApi({ onUnauthorized: () => endSession('login.expired') });

async function boot() {
  await loadCatalogs();
  setLanguage(savedLanguage() || 'en');
  try {
    await startSession(await api.get('/api/v1/me'));
  } catch (err) {
    showLogin(main, { api, messageKey: err.status === 0 ? 'login.unreachable' : null, onLoggedIn });
  }
}

async function onLoggedIn() {
  session?.alarm?.unlock(); // the login click is the gesture browsers need before they play sound
  await startSession(await api.get('/api/v1/me'));
}

/** Tears the session down; true if there was one. Later 401s and 4001 closes find none and do nothing. */
function dropSession() {
  if (!session) return false;
  const s = session;
  session = null;
  s.stream.stop();
  s.unmount?.();
  s.alarm.update([]);
  for (const off of s.disposers) off();
  header.hidden = true;
  banner.hidden = true;
  document.body.dataset.session = 'none';
  return true;
}

function endSession(messageKey) {
  if (dropSession()) showLogin(main, { api, messageKey, onLoggedIn });
}

/**
 * Sign-out drops the session *before* asking the server to end it: the server answers the logout by
 * closing the stream with 4001, and a console still listening would read that as an expired session.
 * The login screen waits for the logout's answer, so a quick sign-in cannot race the old session's end.
 */
async function signOut() {
  if (!dropSession()) return;
  main.replaceChildren(h('p', { class: 'booting', 'data-i18n': 'auth.signing_out', text: t('auth.signing_out') }));
  await api.post('/api/v1/auth/logout').catch(() => {});
  if (!session) showLogin(main, { api, messageKey: 'login.logged_out', onLoggedIn });
}

async function startSession(me) {
  if (!savedLanguage() && me.world.parties.some((p) => p.id === me.party)) {
    setLanguage(me.world.parties.find((p) => p.id === me.party).language);
  }
  const bus = new EventBus();
  const store = new MessageStore();
  const channels = createChannels(api);
  const myParty = me.party;
  const s = { me, bus, store, channels, disposers: [], keys: new Map() };
  session = s;

  const ack = async (message, note = '') => {
    const state = await api.post(`/api/v1/messages/${encodeURIComponent(message.id)}/ack`, note ? { note } : {});
    store.put(state);
    channels.refresh();
    return state;
  };
  s.alarm = new Alarm({ banner, t, onAck: (m) => ack(m).catch(() => {}) });
  const shell = buildHeader(header, {
    me, views,
    onLogout: signOut,
  });
  const ring = () => {
    const flashes = myParty ? store.awaiting(myParty).filter((m) => m.precedence === 'FLASH') : [];
    s.alarm.update(flashes);
  };
  const origToggle = s.alarm.toggleMute.bind(s.alarm);
  s.alarm.toggleMute = () => { origToggle(); ring(); };
  s.disposers.push(store.onChange(ring));

  s.stream = new LiveStream({
    bus,
    onState: (state, info) => {
      shell.setConnection(state, info);
      document.body.dataset.connection = state;
    },
    onUnauthorized: () => endSession('login.expired'),
    onReady: () => channels.refresh(),
  });
  s.disposers.push(bus.subscribe('message.*', (ev) => { store.apply(ev); channels.refreshSoon(); }));

  // Snapshot first, then the stream from the highest seq the snapshot reflects: events between that
  // seq and the snapshot's moment arrive again and change nothing, so nothing falls in a gap.
  await channels.refresh();
  const pages = await Promise.all(channels.list.map((c) =>
    api.get(`/api/v1/channels/${encodeURIComponent(c.id)}/messages?limit=100`)));
  for (const page of pages) store.load(page.messages);
  ring();
  document.body.dataset.session = 'active';

  const ctx = {
    api, bus, store, channels, t, me, user: me, world: me.world, party: myParty,
    i18n: { t, language },
    partyName: (id) => partyName(me.world, id),
    now: () => s.stream.now(),
    ack,
    canSpeak: Boolean(myParty) && ['operator', 'supervisor'].includes(me.role),
    myTimeZone: me.world.parties.find((p) => p.id === myParty)?.timezone || 'UTC',
    onKey: (key, fn) => { s.keys.set(key, fn); return () => s.keys.delete(key); },
    live: s.stream,
  };
  s.ctx = ctx;
  s.disposers.push(mountDesks(ctx)); // desk strip, alert banner, link-test prompt, handover dialog
  s.disposers.push(watchDeliveryFailures(ctx)); // escalations that reached no one
  s.stream.start(store.knownSeq());
  route();
}

function route() {
  if (!session) return;
  const id = location.hash.replace(/^#\/?/, '') || views[0].id;
  const view = views.find((v) => v.id === id) || views[0];
  session.unmount?.();
  session.keys.clear();
  const root = h('div', { class: `view view-${view.id}`, id: `view-${view.id}` });
  main.replaceChildren(root);
  session.unmount = view.mount(root, session.ctx) || null;
  applyI18n(root);
  session.viewId = view.id;
  document.querySelector(`#nav-${view.id}`)?.setAttribute('aria-current', 'page');
  for (const link of document.querySelectorAll('.views-nav a')) {
    if (link.id !== `nav-${view.id}`) link.removeAttribute('aria-current');
  }
}

/** The channel list with what waits for this party's acknowledgement; the server's counts are the truth. */
function createChannels(client) {
  const listeners = new Set();
  let timer = null;
  const model = {
    list: [],
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    async refresh() {
      try {
        model.list = (await client.get('/api/v1/channels')).channels;
      } catch (err) {
        if (err.status !== 0) throw err;
        return; // offline: keep the last counts; the stream's reconnect refreshes them
      }
      for (const fn of listeners) fn(model.list);
    },
    refreshSoon() {
      clearTimeout(timer);
      timer = setTimeout(() => model.refresh().catch(() => {}), 250);
    },
  };
  return model;
}

// Shortcuts work anywhere except while typing. Views register theirs through ctx.onKey.
document.addEventListener('keydown', (ev) => {
  if (!session || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = ev.target?.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || ev.target?.isContentEditable) return;
  const key = ev.key.toLowerCase();
  if (key === 'm') { session.alarm.toggleMute(); ev.preventDefault(); return; }
  const fn = session.keys.get(key);
  if (fn) { fn(ev); ev.preventDefault(); }
});
document.addEventListener('pointerdown', () => session?.alarm?.unlock(), { capture: true });
window.addEventListener('hashchange', route);

boot();
