// A message beside its translation into the reader's working language, with the translation's state
// (draft, checked, certified) and who stands behind it; "not translated yet" where nobody has; and,
// for the sender, which parties acknowledged with "received, translation pending".
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
  el.replaceChildren(sideBySide(m, tr, ctx));
}

function pendingNotes(m, ctx) {
  if (!ctx.party || m.party !== ctx.party) return null;
  const pending = Object.entries(m.addressees).filter(([, e]) => e.ack?.translation_pending);
  if (!pending.length) return null;
  return h('p', { class: 'tr-pending-ack' }, pending.map(([p]) => t('tr.ack_pending', { party: ctx.partyName(p) }))
    .join(' · '));
}

/** What a message card shows about translation (nothing for a message already in the reader's language). */
export function translationPanel(m, ctx) {
  ensureStyles();
  const notes = pendingNotes(m, ctx);
  if (!needsTranslation(m, ctx)) return notes;
  subscribe(ctx);
  const el = h('section', { class: 'translation', id: `tr-panel-${m.id}`, 'aria-label': t('tr.title') });
  el.__message = m;
  el.__ctx = ctx;
  if (!panels.has(m.id)) panels.set(m.id, new Set());
  panels.get(m.id).add(el);
  fill(el, m, ctx);
  const awaitingMe = m.addressees[ctx.party] && !m.addressees[ctx.party].ack;
  const wrap = h('div', { class: 'translation-wrap' }, el, notes);
  if (awaitingMe && ctx.canSpeak) {
    const btn = h('button', { type: 'button', class: 'btn btn-quiet btn-ack-pending', text: t('tr.ack_pending_btn') });
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        // The stream brings the acknowledgement back and the card re-renders from it.
        await ctx.api.post(`/api/v1/messages/${encodeURIComponent(m.id)}/ack`, { translation_pending: true });
      } catch (err) { btn.disabled = false; btn.title = err.message; }
    });
    wrap.append(btn);
  }
  return wrap;
}
