// A message beside its translation into the reader's working language, with the translation's state
// (draft, checked, certified) and who stands behind it, collapsed on the card to a one-line summary;
// "not translated yet" in the translator's view; and, for the sender, which parties acknowledged with
// "received, translation pending".
import { h, userText } from '../dom.js';
import { t } from '../i18n.js';
import { ensureStyles } from './styles.js';

const cache = new Map(); // message id -> Promise of its translations
const panels = new Map(); // message id -> Set of live panel elements (re-filled when a translation changes)
let subscribed = null;

function fetchTranslations(ctx, id) {
  if (!cache.has(id)) {
    cache.set(id, ctx.api.get(`/api/v1/messages/${encodeURIComponent(id)}/translations`)
      .then((r) => r.translations).catch(() => []));
  }
  return cache.get(id);
}

function subscribe(ctx) {
  if (subscribed === ctx.bus) return;
  subscribed = ctx.bus;
  ctx.bus.subscribe('translation.*', (ev) => {
    const id = ev.payload.message_id;
    cache.delete(id);
    for (const el of panels.get(id) || []) {
      if (el.isConnected) fill(el, el.__message, el.__ctx); else panels.get(id).delete(el);
    }
  });
}

export function workingLanguage(ctx) {
  return ctx.world.parties.find((p) => p.id === ctx.party)?.language || 'en';
}

export function needsTranslation(m, ctx) {
  if (!ctx.party || m.template) return false;
  return m.language.split('-')[0] !== workingLanguage(ctx).split('-')[0];
}

/** The state badge: draft / checked / certified, with who did each step. */
export function stateBadge(tr) {
  const who = [tr.drafted_by && t('tr.drafted_by', { user: tr.drafted_by }),
    tr.checked_by && t('tr.checked_by', { user: tr.checked_by }),
    tr.certified_by && t('tr.certified_by', { user: tr.certified_by })].filter(Boolean).join(' · ');
  return h('span', { class: `tr-state tr-${tr.state}`, dataset: { state: tr.state }, title: who },
    t(`tr.state.${tr.state}`), h('span', { class: 'tr-who muted', text: who ? ` (${who})` : '' }));
}

/** Original and translation side by side; each column keeps its own language and direction. */
export function sideBySide(m, tr, ctx) {
  const original = h('div', { class: 'tr-col tr-original' },
    h('h4', { text: t('tr.original', { lang: m.language.toUpperCase() }) }),
    userText('p', m.subject, m.language), userText('p', m.body, m.language));
  const mine = h('div', { class: 'tr-col tr-translation', dataset: { state: tr ? tr.state : 'none' } },
    h('h4', { text: t('tr.translation', { lang: (tr ? tr.language : workingLanguage(ctx)).toUpperCase() }) }));
  if (tr) mine.append(stateBadge(tr), userText('p', tr.text, tr.language));
  else mine.append(h('p', { class: 'tr-missing', text: t('tr.untranslated') }));
  return h('div', { class: 'tr-side' }, original, mine);
}

async function fill(el, m, ctx) {
  const all = await fetchTranslations(ctx, m.id);
  const tr = all.find((x) => x.party === ctx.party) || null;
  // Nothing to show until someone has translated it: the language tag already says it is foreign.
  el.hidden = !tr;
  if (!tr) { el.replaceChildren(); return; }
  el.replaceChildren(
    h('summary', { class: 'tr-summary' }, t('tr.translation', { lang: tr.language.toUpperCase() }), ' ',
      h('span', { class: `tr-state-mark tr-${tr.state}`, dataset: { state: tr.state }, text: t(`tr.state.${tr.state}`) })),
    sideBySide(m, tr, ctx));
}

/** For the sender: which parties acknowledged with "received, translation pending" (one line, or nothing). */
export function pendingNotes(m, ctx) {
  if (!ctx.party || m.party !== ctx.party) return null;
  const pending = Object.entries(m.addressees).filter(([, e]) => e.ack?.translation_pending);
  if (!pending.length) return null;
  return h('p', { class: 'tr-pending-ack' }, pending.map(([p]) => t('tr.ack_pending', { party: ctx.partyName(p) }))
    .join(' · '));
}

/** The reader's translation as a one-line summary (its state) that opens on click onto original and
 * translation side by side; hidden while there is no translation, absent when none is needed. */
export function translationPanel(m, ctx) {
  ensureStyles();
  if (!needsTranslation(m, ctx)) return null;
  subscribe(ctx);
  const el = h('details', { class: 'translation', id: `tr-panel-${m.id}`, 'aria-label': t('tr.title'), hidden: true });
  el.__message = m;
  el.__ctx = ctx;
  if (!panels.has(m.id)) panels.set(m.id, new Set());
  panels.get(m.id).add(el);
  fill(el, m, ctx);
  return el;
}

/** "Acknowledge: received, translation pending", for a reader who must acknowledge a foreign text. */
export function pendingAckButton(m, ctx) {
  const awaitingMe = ctx.party && m.addressees[ctx.party] && !m.addressees[ctx.party].ack;
  if (!awaitingMe || !ctx.canSpeak || !needsTranslation(m, ctx)) return null;
  const btn = h('button', { type: 'button', class: 'btn btn-quiet btn-ack-pending', text: t('tr.ack_pending_btn') });
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      // The stream brings the acknowledgement back and the card re-renders from it.
      await ctx.api.post(`/api/v1/messages/${encodeURIComponent(m.id)}/ack`, { translation_pending: true });
    } catch (err) { btn.disabled = false; btn.title = err.message; }
  });
  return btn;
}
