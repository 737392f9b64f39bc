// Compose: free text (shown to everyone as written, marked with its language) or a template whose
// sentences each reader sees in their own language. A post carries a client-chosen id that is kept
// until it succeeds, so pressing Send again after a network failure cannot post twice.
import { h, randomId } from '../../dom.js';
import { LANGUAGES, label, language, onLanguageChange, t } from '../../i18n.js';
import { fieldParams, template, TEMPLATES } from '../../templates.js';

const PRECEDENCES = ['FLASH', 'IMMEDIATE', 'PRIORITY', 'ROUTINE'];

export function composeForm(ctx, { channel }) {
  let replyTo = null;
  let pendingId = null;
  const field = (key, id, control) => h('div', { class: 'field', dataset: { field: id } },
    label('label', key, { for: `compose-${id}` }), control,
    h('p', { class: 'field-error', id: `compose-${id}-error`, 'aria-live': 'polite' }));

  const precedence = h('select', { id: 'compose-precedence' },
    PRECEDENCES.map((p) => label('option', `precedence.${p}`, { value: p, class: `opt-${p}` })));
  precedence.value = 'ROUTINE';
  const kind = h('select', { id: 'compose-kind' }, label('option', 'compose.free_text', { value: '' }),
    TEMPLATES.map((tpl) => label('option', `template.${tpl.code}.title`, { value: tpl.code })));
  const subject = h('input', { id: 'compose-subject', maxlength: '200', dir: 'auto', autocomplete: 'off' });
  const body = h('textarea', { id: 'compose-body', rows: '3', dir: 'auto' });
  const lang = h('select', { id: 'compose-language' },
    LANGUAGES.map((code) => label('option', `lang.${code}`, { value: code })));
  lang.value = language();
  const free = h('div', { class: 'free-fields' }, field('compose.subject', 'subject', subject),
    field('compose.body', 'body', body), field('compose.language', 'language', lang));
  const tplFields = h('div', { class: 'template-fields' });
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const to = h('p', { class: 'compose-to' });
  const replyLine = h('p', { class: 'compose-reply', hidden: true });
  const status = h('p', { class: 'form-error', id: 'compose-error', role: 'alert' });
  const sent = h('p', { class: 'form-ok', id: 'compose-ok', role: 'status' });
  const send = label('button', 'compose.send', { type: 'submit', class: 'btn btn-primary', id: 'compose-send' });

  const form = h('form', { class: 'compose', id: 'compose', novalidate: true, 'aria-labelledby': 'compose-title' },
    label('h2', 'compose.title', { id: 'compose-title' }), to, replyLine,
    field('compose.precedence', 'precedence', precedence), field('compose.kind', 'kind', kind),
    free, tplFields, preview, status, sent, send);

  const values = () => Object.fromEntries([...tplFields.querySelectorAll('[data-name]')]
    .map((el) => [el.dataset.name, el.value.trim()]).filter(([, v]) => v !== ''));

  function renderTemplateFields() {
    const tpl = template(kind.value);
    free.hidden = Boolean(tpl);
    tplFields.replaceChildren();
    if (!tpl) { renderPreview(); return; }
    for (const f of tpl.fields) {
      const id = `tpl-${f.name}`;
      const key = `template.${tpl.code}.field.${f.name}`;
      let control;
      if (f.choices) {
        control = h('select', { id: `compose-${id}`, dataset: { name: f.name } },
          f.choices.map((c) => label('option', `template.${tpl.code}.${f.name}.${c}`, { value: c })));
      } else if (f.multiline) {
        control = h('textarea', { id: `compose-${id}`, rows: '3', dir: 'auto', dataset: { name: f.name } });
      } else {
        control = h('input', { id: `compose-${id}`, dir: 'auto', autocomplete: 'off', dataset: { name: f.name } });
      }
      control.addEventListener('input', renderPreview);
      tplFields.append(field(key, id, control));
    }
    renderPreview();
  }

  function renderPreview() {
    const tpl = template(kind.value);
    preview.replaceChildren();
    if (!tpl) return;
    const params = fieldParams(tpl.code, values(), t, language());
    preview.append(label('h3', 'compose.preview'),
      h('p', { class: 'subject', dir: 'auto', text: t(`template.${tpl.code}.subject`, params) }),
      h('p', { class: 'body', dir: 'auto', text: t(`template.${tpl.code}.body`, params) }));
  }

  function renderTo() {
    const c = ctx.channels.list.find((x) => x.id === channel());
    to.replaceChildren(label('span', 'compose.to'), ' ',
      h('strong', { text: c ? (c.names[language()] || c.names.en) : channel() }));
    replyLine.hidden = !replyTo;
    replyLine.replaceChildren();
    if (replyTo) {
      const cancel = label('button', 'compose.cancel_reply', { type: 'button', class: 'btn btn-quiet' });
      cancel.addEventListener('click', () => { replyTo = null; renderTo(); });
      replyLine.append(label('span', 'compose.replying'), ' ',
        h('bdi', { dir: 'auto', lang: replyTo.language, text: replyTo.subject }), ' ', cancel);
    }
  }

  function clearErrors() {
    status.replaceChildren();
    sent.replaceChildren();
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  form.addEventListener('input', () => { pendingId = null; });
  kind.addEventListener('change', () => { pendingId = null; renderTemplateFields(); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    const tpl = template(kind.value);
    const payload = { precedence: precedence.value, reply_to: replyTo ? replyTo.id : null };
    if (tpl) {
      const fields = values();
      const missing = tpl.fields.filter((f) => !f.optional && !(f.name in fields));
      if (missing.length) {
        for (const f of missing) form.querySelector(`#compose-tpl-${f.name}-error`).textContent = t('compose.required');
        return;
      }
      const params = fieldParams(tpl.code, fields, t, language());
      Object.assign(payload, { subject: t(`template.${tpl.code}.subject`, params).slice(0, 200),
        body: t(`template.${tpl.code}.body`, params), language: language(), template: { code: tpl.code, fields } });
    } else {
      Object.assign(payload, { subject: subject.value, body: body.value, language: lang.value });
    }
    pendingId = pendingId || randomId('msg-');
    send.disabled = true;
    try {
      const state = await ctx.api.post(`/api/v1/channels/${encodeURIComponent(channel())}/messages`,
        { id: pendingId, ...payload });
      ctx.store.put(state);
      pendingId = null;
      replyTo = null;
      subject.value = '';
      body.value = '';
      for (const el of tplFields.querySelectorAll('input, textarea')) el.value = '';
      precedence.value = 'ROUTINE'; // never leave FLASH armed for the next message
      renderTo();
      renderPreview();
      sent.textContent = t('compose.sent', { dtg: state.posted_dtg });
    } catch (err) {
      if (err.status === 401) return; // the session is gone; the login screen says so
      status.textContent = err.status === 0 ? t('compose.offline') : err.message;
      for (const [name, detail] of Object.entries(err.fields)) {
        const slot = form.querySelector(`#compose-${name.replace('template.', 'tpl-')}-error`);
        if (slot) {
          slot.textContent = detail;
          form.querySelector(`#compose-${name}`)?.setAttribute('aria-invalid', 'true');
        }
      }
    } finally {
      send.disabled = false;
    }
  });

  renderTemplateFields();
  renderTo();
  const offLang = onLanguageChange(() => { renderTo(); renderPreview(); });
  return {
    element: form,
    channelChanged: renderTo,
    replyTo(message) {
      replyTo = message;
      if (!template(kind.value) && !subject.value) subject.value = `RE: ${message.subject}`.slice(0, 200);
      renderTo();
      (template(kind.value) ? tplFields.querySelector('input, textarea, select') : subject)?.focus();
    },
    focus() { precedence.focus(); },
    dispose: offLang,
  };
}
