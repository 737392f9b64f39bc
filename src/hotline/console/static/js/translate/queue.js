// The translator's queue: every message of the party's channels in a language other than the party's
// working language and not yet certified, FLASH first and then oldest first. Choosing one shows the
// original beside the translation; a translator drafts, a second person checks, a supervisor certifies.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dtg } from '../time.js';
import { sideBySide, workingLanguage } from './panel.js';
import { ensureStyles } from './styles.js';

export default {
  id: 'translate',
  titleKey: 'view.translate',
  mount(root, ctx) {
    ensureStyles();
    const list = h('ul', { class: 'tr-queue', id: 'tr-queue', 'aria-label': t('tr.queue') });
    const detail = h('section', { class: 'tr-detail', id: 'tr-detail', 'aria-live': 'polite' });
    root.append(h('div', { class: 'translate-view' },
      h('div', {}, h('h2', { text: t('tr.queue') }), list), detail));
    let tasks = [];
    let selected = null;
    let disposed = false;

    async function refresh() {
      try { tasks = (await ctx.api.get('/api/v1/translations/queue')).tasks; } catch { return; }
      if (disposed) return;
      list.replaceChildren(...(tasks.length ? tasks.map(item) : [h('li', { class: 'muted', text: t('tr.queue_empty') })]));
      if (selected) {
        const task = tasks.find((x) => x.message.id === selected);
        if (task) show(task); else showFinished(selected);
      }
    }

    function item(task) {
      const m = task.message;
      const btn = h('button', { type: 'button', dataset: { id: m.id, precedence: m.precedence },
        'aria-current': String(m.id === selected) },
      h('span', { class: 'prec', text: t(`precedence.${m.precedence}`) }),
      h('span', { class: 'user-text', dir: 'auto', lang: m.language, text: m.subject }), ' ',
      h('span', { class: 'muted' }, h('bdi', { text: ctx.partyName(m.party) }), ' · ',
        h('span', { class: 'dtg', text: m.posted_dtg || dtg(m.posted_at) })), ' ',
      h('span', { class: `tr-state tr-${task.translation ? task.translation.state : 'none'}`,
        text: task.translation ? t(`tr.state.${task.translation.state}`) : t('tr.state.none') }));
      btn.addEventListener('click', () => { selected = m.id; refresh(); });
      return h('li', {}, btn);
    }

    async function showFinished(id) {
      try {
        const m = await ctx.api.get(`/api/v1/messages/${encodeURIComponent(id)}`);
        const all = (await ctx.api.get(`/api/v1/messages/${encodeURIComponent(id)}/translations`)).translations;
        detail.replaceChildren(sideBySide(m, all.find((x) => x.party === ctx.party) || null, ctx));
      } catch { detail.replaceChildren(); }
    }

    function show(task) {
      const m = task.message;
      const tr = task.translation;
      const error = h('p', { class: 'tr-error', role: 'alert' });
      const actions = h('div', { class: 'tr-actions' });
      const run = async (fn) => {
        error.textContent = '';
        try { await fn(); await refresh(); } catch (err) { error.textContent = err.message; }
      };
      const parts = [sideBySide(m, tr, ctx)];
      const role = ctx.me.role;
      if (!tr || tr.state === 'draft' || tr.state === 'checked') {
        if (['translator', 'operator', 'supervisor'].includes(role)) {
          const text = h('textarea', { id: 'tr-text', lang: workingLanguage(ctx), dir: 'auto',
            'aria-label': t('tr.your_translation') });
          text.value = tr ? tr.text : '';
          const save = h('button', { type: 'button', class: 'btn', id: 'tr-save', text: t('tr.save_draft') });
          save.addEventListener('click', () => run(() => ctx.api.post(
            `/api/v1/messages/${encodeURIComponent(m.id)}/translations`, { text: text.value })));
          parts.push(h('div', { class: 'tr-editor' }, text));
          actions.append(save);
        }
      }
      if (tr && tr.state === 'draft' && tr.drafted_by !== ctx.me.username) {
        const check = h('button', { type: 'button', class: 'btn', id: 'tr-check', text: t('tr.check') });
        check.addEventListener('click', () => run(() => ctx.api.post(
          `/api/v1/translations/${encodeURIComponent(tr.id)}/check`, { revision: tr.revision })));
        actions.append(check);
      }
      if (tr && tr.state === 'checked' && role === 'supervisor') {
        const certify = h('button', { type: 'button', class: 'btn', id: 'tr-certify', text: t('tr.certify') });
        certify.addEventListener('click', () => run(() => ctx.api.post(
          `/api/v1/translations/${encodeURIComponent(tr.id)}/certify`, { revision: tr.revision })));
        actions.append(certify);
      }
      detail.replaceChildren(...parts, actions, error);
    }

    const offs = [ctx.bus.subscribe('translation.*', () => refresh()),
      ctx.bus.subscribe('message.posted', () => refresh())];
    refresh();
    return () => { disposed = true; offs.forEach((off) => off()); };
  },
};
