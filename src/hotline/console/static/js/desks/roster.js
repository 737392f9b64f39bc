// The roster view: each desk's shifts for the next 7 days, gaps highlighted; a supervisor plans a shift
// for one of the party's officers (the server refuses overlaps and shifts that end before they start).
import { h } from '../dom.js';
import { label, language, t } from '../i18n.js';

const when = (iso) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}Z`;

export default {
  id: 'roster',
  titleKey: 'view.roster',
  mount(root, ctx) {
    ensureDesksCss();
    const body = h('div', { class: 'roster-body', id: 'roster-body' });
    const error = h('p', { class: 'form-error', role: 'alert', id: 'roster-error' });
    root.append(h('section', { class: 'roster' }, label('h2', 'roster.title'), planForm(), error, body));

    function planForm() {
      if (ctx.me.role !== 'supervisor' || !ctx.party) return null;
      const desks = (ctx.world.desks || []).filter((d) => d.party === ctx.party);
      const desk = h('select', { id: 'shift-desk' }, desks.map((d) => h('option', { value: d.id, text: d.names[language()] || d.id })));
      const officer = h('input', { id: 'shift-officer', required: true, maxlength: 64 });
      const start = h('input', { id: 'shift-start', type: 'datetime-local' });
      const end = h('input', { id: 'shift-end', type: 'datetime-local' });
      const submit = label('button', 'roster.plan', { type: 'submit', class: 'btn btn-primary', id: 'shift-submit' });
      const form = h('form', { class: 'shift-form', id: 'shift-form' },
        label('label', 'roster.desk', { for: 'shift-desk' }), desk,
        label('label', 'roster.officer', { for: 'shift-officer' }), officer,
        label('label', 'roster.start', { for: 'shift-start' }), start,
        label('label', 'roster.end', { for: 'shift-end' }), end, submit);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        try {
          const iso = (v) => (v ? new Date(`${v}Z`).toISOString() : '');
          await ctx.api.post(`/api/v1/desks/${desk.value}/shifts`,
            { officer: officer.value, start: iso(start.value), end: iso(end.value) });
          await load();
        } catch (err) {
          error.textContent = Object.entries(err.fields).map(([f, d]) => `${f}: ${d}`).join('; ') || err.message;
        }
      });
      return form;
    }

    async function load() {
      try {
        const r = await ctx.api.get('/api/v1/desks/roster?days=7');
        body.replaceChildren(...r.desks.map((d) => h('div', { class: 'roster-desk', dataset: { desk: d.desk } },
          h('h3', {}, h('bdi', { text: d.names[language()] || d.names.en || d.desk })), // the server's name for it
          h('ol', { class: 'roster-rows' },
            [...d.shifts.map((s) => ({ ...s, kind: 'shift' })), ...d.gaps.map((g) => ({ ...g, kind: 'gap' }))]
              .sort((a, b) => a.start.localeCompare(b.start))
              .map((row) => h('li', { class: `roster-${row.kind}`, dataset: { kind: row.kind } },
                h('span', { class: 'roster-time' }, h('time', { datetime: row.start, text: when(row.start) }), ' – ',
                  h('time', { datetime: row.end, text: when(row.end) })), ' ',
                row.kind === 'gap' ? h('strong', { text: t('roster.gap') }) : h('bdi', { text: row.officer })))))));
      } catch (err) { error.textContent = err.message; }
    }
    load();
    const off = ctx.bus.subscribe('shift.*', () => load());
    return () => off();
  },
};

export function ensureDesksCss() {
  if (!document.querySelector('link[data-css="desks"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/static/css/desks.css', dataset: { css: 'desks' } }));
  }
}
