// One message as a card: precedence (colour and word), sender, subject, body, language, the DTG in
// UTC beside the reader's local time, and every addressed party's acknowledgement state. A recalled
// message stays on the timeline with who recalled it, when and why, and awaits nobody any more.
import { h, userText } from '../../dom.js';
import { has, language, t, tNodes } from '../../i18n.js';
import { fieldParams } from '../../templates.js';
import { dtg, localTime } from '../../time.js';
import { escalationHistory } from '../../escalation/history.js';
import { awaits } from '../../messages.js';
import { pendingAckButton, pendingNotes, translationPanel } from '../../translate/panel.js';

const LANG_NAMES = { en: 'lang.en', he: 'lang.he', ar: 'lang.ar' };

export function renderMessage(m, ctx, { onReply }) {
  const mine = ctx.party && m.party === ctx.party;
  const awaitingMe = awaits(m, ctx.party);
  const worst = m.recalled ? 0
    : Math.max(0, ...Object.values(m.addressees).filter((e) => !e.ack).map((e) => e.overdue));
  const classes = ['msg', `prec-${m.precedence}`, mine ? 'mine' : '', awaitingMe ? 'awaiting-me' : '',
    worst === 1 ? 'overdue' : '', worst === 2 ? 'escalated' : '', m.recalled ? 'recalled' : '']
    .filter(Boolean).join(' ');
  const subjectId = `subj-${m.id}`;
  const card = h('article', { class: classes, id: `msg-${m.id}`, tabindex: '0', 'aria-labelledby': subjectId,
    dataset: { id: m.id, seq: m.seq, precedence: m.precedence, awaitingMe: String(awaitingMe),
      recalled: String(Boolean(m.recalled)) } });

  const langKey = LANG_NAMES[m.language];
  const sender = mine ? tNodes('message.from_you', { actor: m.actor })
    : tNodes('message.from', { party: ctx.partyName(m.party), actor: m.actor });
  card.append(h('header', { class: 'msg-head' },
    h('span', { class: 'prec', text: t(`precedence.${m.precedence}`) }),
    h('span', { class: 'sender' }, sender),
    h('span', { class: 'lang-tag', title: langKey ? t(langKey) : m.language, dataset: { value: 'language' },
      'aria-label': t('message.language', { lang: langKey ? t(langKey) : m.language }), text: m.language.toUpperCase() }),
    timeBlock(m.posted_at, m.posted_dtg, ctx)));
  if (m.recalled) {
    const r = m.recalled;
    card.append(h('p', { class: 'recall-note', title: localTime(r.at, ctx.myTimeZone, language()) },
      tNodes('message.recalled', { party: ctx.partyName(r.party), dtg: dtg(r.at), reason: userText('bdi', r.reason) })));
  }

  if (m.reply_to) {
    const original = ctx.store.get(m.reply_to);
    card.append(h('p', { class: 'reply-to muted' }, tNodes('message.reply_to', {
      subject: original ? userText('bdi', original.subject, original.language) : m.reply_to })));
  }
  card.append(...content(m, subjectId));
  // The reader's translation, collapsed to one line and only once there is one.
  const translation = translationPanel(m, ctx);
  if (translation) card.append(translation);

  // The foot: who has acknowledged and who not yet, then what this reader can do.
  const actions = h('div', { class: 'msg-actions' });
  if (awaitingMe && ctx.canSpeak) actions.append(...ackControls(m, ctx));
  const pendingAck = awaitingMe ? pendingAckButton(m, ctx) : null;
  if (pendingAck) actions.append(pendingAck);
  if (mine && ctx.canSpeak && !m.recalled) actions.append(...recallControls(m, ctx));
  if (ctx.canSpeak) {
    const reply = h('button', { type: 'button', class: 'btn btn-quiet', text: t('message.reply') });
    reply.addEventListener('click', () => onReply(m));
    actions.append(reply);
  }
  card.append(h('div', { class: 'msg-foot' }, acks(m, ctx), actions.childElementCount ? actions : null));
  const notes = pendingNotes(m, ctx); // for the sender: who acknowledged pending a translation
  if (notes) card.append(notes);
  const history = escalationHistory(m, ctx); // who was told, how and when: one line until opened
  if (history) card.append(history);
  return card;
}

/** Acknowledge at once, or with a note the other parties read beside the acknowledgement. */
function ackControls(m, ctx) {
  const btn = h('button', { type: 'button', class: 'btn btn-ack', 'aria-keyshortcuts': 'A', text: t('message.ack_key') });
  const withNote = h('button', { type: 'button', class: 'btn btn-quiet btn-ack-note', text: t('message.ack_with_note') });
  const noteId = `ack-note-${m.id}`;
  const note = h('input', { type: 'text', class: 'ack-note-input', id: noteId, maxlength: '2000', dir: 'auto',
    autocomplete: 'off', 'aria-label': t('message.ack_note') });
  const send = h('button', { type: 'submit', class: 'btn btn-primary ack-note-send', text: t('message.ack') });
  const error = h('span', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'ack-note-form', hidden: true },
    h('label', { for: noteId, text: t('message.ack_note') }), note, send, error);
  const go = async (text, ...buttons) => {
    for (const b of buttons) b.disabled = true;
    error.textContent = '';
    try { await ctx.ack(m, text); } catch (err) {
      for (const b of buttons) b.disabled = false;
      if (err.status !== 401) error.textContent = err.fields?.note || err.message;
    }
  };
  btn.addEventListener('click', () => go('', btn, withNote));
  withNote.addEventListener('click', () => { form.hidden = false; withNote.hidden = true; note.focus(); });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(note.value.trim(), send, btn); });
  return [btn, withNote, form];
}

/** Take back a message of this party sent in error: the reason is asked first, every party reads it. */
function recallControls(m, ctx) {
  const open = h('button', { type: 'button', class: 'btn btn-quiet btn-recall', text: t('message.recall') });
  const reasonId = `recall-reason-${m.id}`;
  const reason = h('input', { type: 'text', class: 'recall-reason', id: reasonId, maxlength: '500', dir: 'auto',
    autocomplete: 'off', required: true });
  const send = h('button', { type: 'submit', class: 'btn btn-primary recall-send', text: t('message.recall_send') });
  const error = h('span', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'recall-form', hidden: true },
    h('label', { for: reasonId, text: t('message.recall_reason') }), reason, send, error);
  open.addEventListener('click', () => { form.hidden = false; open.hidden = true; reason.focus(); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    error.textContent = '';
    try {
      ctx.store.put(await ctx.api.post(`/api/v1/messages/${encodeURIComponent(m.id)}/recall`,
        { reason: reason.value.trim() }));
    } catch (err) {
      send.disabled = false;
      if (err.status !== 401) error.textContent = err.fields?.reason || err.message;
    }
  });
  return [open, form];
}

/** Subject and body: a template in the reader's language, or free text exactly as written. */
function content(m, subjectId) {
  const code = m.template?.code;
  const lang = language();
  if (code && has(`template.${code}.subject`, lang)) {
    const params = fieldParams(code, m.template.fields || {}, t, lang);
    const original = h('details', { class: 'original' },
      h('summary', { text: t('message.as_sent', { lang: m.language.toUpperCase() }) }),
      userText('p', m.subject, m.language), userText('p', m.body, m.language));
    return [
      h('p', { class: 'template-tag', text: t('message.template', { name: t(`template.${code}.title`) }) }),
      h('h3', { class: 'subject', id: subjectId, lang, dir: 'auto' }, tNodes(`template.${code}.subject`, params)),
      h('p', { class: 'body', lang, dir: 'auto' }, tNodes(`template.${code}.body`, params)),
      original,
    ];
  }
  const subject = userText('h3', m.subject, m.language);
  subject.id = subjectId;
  subject.classList.add('subject');
  const body = userText('p', m.body, m.language);
  body.classList.add('body');
  return [subject, body];
}

function timeBlock(iso, group, ctx) {
  return h('span', { class: 'when' },
    h('time', { class: 'dtg', datetime: iso, text: group || dtg(iso) }),
    h('span', { class: 'local', title: `${localTime(iso, ctx.myTimeZone, language())} (${ctx.myTimeZone})` },
      tNodes('time.local', { time: localTime(iso, ctx.myTimeZone, language(), { short: true }) })));
}

function acks(m, ctx) {
  const list = h('ul', { class: 'acks', 'aria-label': t('ack.title') });
  for (const [party, entry] of Object.entries(m.addressees)) {
    const you = party === ctx.party;
    const li = h('li', { class: 'ack', dataset: { party } });
    const name = h('span', { class: 'ack-party', text: you ? t('party.you') : ctx.partyName(party) });
    if (entry.ack) {
      li.classList.add('ack-done');
      li.title = t('ack.by', { actor: entry.ack.by, dtg: dtg(entry.ack.at),
        time: localTime(entry.ack.at, ctx.myTimeZone, language()) });
      li.append(h('span', { class: 'ack-icon', 'aria-hidden': 'true', text: '✓' }), name, ' ',
        h('span', { class: 'ack-by' }, tNodes('ack.by_short', { actor: entry.ack.by, dtg: dtg(entry.ack.at) })));
      if (entry.ack.late) li.append(' ', h('span', { class: 'badge badge-late', text: t('ack.late') }));
      if (entry.ack.note) li.append(' ', h('span', { class: 'ack-note' }, tNodes('ack.note', { note: userText('bdi', entry.ack.note) })));
    } else if (m.recalled) {
      li.classList.add('ack-recalled');
      li.append(h('span', { class: 'ack-icon', 'aria-hidden': 'true', text: '–' }), name, ' ',
        h('span', { class: 'ack-state', text: t('ack.not_awaited') }));
    } else {
      // Says what is missing and by when: "Syria: not yet acknowledged, due 291230Z NOV 26, 4:10 left".
      li.classList.add(entry.overdue === 2 ? 'ack-escalated' : entry.overdue === 1 ? 'ack-overdue' : 'ack-pending');
      const state = entry.overdue === 2 ? 'ack.escalated' : entry.overdue === 1 ? 'ack.overdue'
        : you ? 'ack.awaiting_you' : 'ack.awaiting';
      li.append(h('span', { class: 'ack-icon', 'aria-hidden': 'true', text: entry.overdue ? '!' : '○' }), name, ' ',
        h('span', { class: 'ack-state', text: t(state) }), ' ',
        // The deadline and the time left wrap together, never the countdown alone on a line.
        h('span', { class: 'ack-when' },
          h('span', { class: 'ack-deadline' }, tNodes('ack.deadline', { dtg: dtg(entry.deadline) })), ' ',
          h('span', { class: 'countdown', dataset: { deadline: entry.deadline } })));
    }
    list.append(li);
  }
  return list;
}

/** Refresh every countdown under root against the server-corrected clock. */
export function tickCountdowns(root, now) {
  for (const el of root.querySelectorAll('.countdown[data-deadline]')) {
    const left = new Date(el.dataset.deadline).getTime() - now;
    const text = left >= 0 ? t('ack.left', { time: fmt(left) }) : t('ack.overdue_by', { time: fmt(left) });
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('late', left < 0);
  }
}

function fmt(ms) {
  const total = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(hours ? 2 : 1, '0');
  const ss = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}
