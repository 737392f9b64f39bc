// Incidents: the list with each one's state and who must act next; the chosen incident's detail,
// its history, and the workflow steps this user may take. The server enforces every rule; the
// buttons only save a round trip, and a refusal is shown as the server worded it.
import { h, userText } from '../../dom.js';
import { has, label, t, tNodes } from '../../i18n.js';

// Categories and states are codes in the record; each reader sees them in their own language.
const category = (code) => t(`incident.category.${code}`);
const status = (code) => t(`incident.status.${code}`);

const STEPS = {
  reported: ['ack', 'ask'], acknowledged: ['ask', 'review'], clarification: ['ack', 'ask', 'review'],
  joint_review: ['propose', 'agree', 'dispute'], resolved: [], disputed: [],
};

export function ensureCss() {
  if (!document.querySelector('link[data-css="incidents"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/static/css/incidents.css', dataset: { css: 'incidents' } }));
  }
}

export default {
  id: 'incidents',
  titleKey: 'view.incidents',
  mount(root, ctx) {
    ensureCss();
    let selected = null;
    // Every field with a visible label, a hint where the format is not obvious, and its unit.
    const field = (key, control, { hintKey = null, unitKey = null } = {}) => h('div', { class: 'field' },
      label('label', key, { for: control.id }),
      unitKey ? h('span', { class: 'with-unit' }, control, label('span', unitKey, { class: 'unit' })) : control,
      hintKey ? label('p', hintKey, { class: 'hint muted', id: `${control.id}-hint` }) : null);

    const list = h('ul', { class: 'inc-list', id: 'incident-list', role: 'list' });
    const detail = h('section', { class: 'inc-detail', id: 'incident-detail', 'aria-live': 'polite' });
    const error = h('p', { class: 'form-error', id: 'incident-error', role: 'alert' });
    root.append(h('div', { class: 'inc-layout' },
      h('div', { class: 'inc-col' }, label('h2', 'incidents.title'), reportForm(), list),
      h('div', { class: 'inc-col' }, error, detail)));

    function reportForm() {
      const cat = h('select', { id: 'inc-category', name: 'category' },
        ['uav_sighting', 'airspace_violation', 'exchange_of_fire', 'line_crossing', 'civilian_detention',
          'property_damage', 'mine_uxo', 'other'].map((c) => label('option', `incident.category.${c}`, { value: c })));
      const loc = h('input', { id: 'inc-location', name: 'location', value: '33.1256, 35.8241', dir: 'ltr',
        'aria-describedby': 'inc-location-hint', autocomplete: 'off' });
      const radius = h('input', { id: 'inc-radius', name: 'radius', type: 'number', min: '0', step: '50', value: '300',
        'aria-describedby': 'inc-radius-hint', class: 'num' });
      // The parties involved: every other party, ticked by name (the reporter is always involved).
      const others = ctx.world.parties.filter((p) => p.id !== ctx.party);
      const involved = h('fieldset', { class: 'inc-involved', id: 'inc-involved' },
        label('legend', 'incidents.field.involved'),
        others.map((p) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', id: `inc-involved-${p.id}`, value: p.id,
            checked: p.id === (ctx.party === 'isr' ? 'syr' : 'isr') }),
          h('span', { text: ctx.partyName(p.id) }))));
      const desc = h('textarea', { id: 'inc-description', name: 'description', rows: 2, dir: 'auto' });
      const form = h('form', { class: 'inc-form', id: 'incident-form' },
        label('h3', 'incidents.report'),
        field('incidents.field.category', cat),
        field('incidents.field.location', loc, { hintKey: 'incidents.hint.location' }),
        field('incidents.field.radius', radius, { hintKey: 'incidents.hint.radius', unitKey: 'unit.m' }),
        involved,
        field('incidents.field.description', desc),
        label('button', 'incidents.submit', { type: 'submit', class: 'btn btn-primary', id: 'inc-submit' }));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const started = new Date(new Date(ctx.now()).getTime() - 5 * 60000).toISOString();
        await run(() => ctx.api.post('/api/v1/incidents', {
          category: cat.value, occurred_from: started, location: { text: loc.value, uncertainty_m: Number(radius.value) },
          involved: [...involved.querySelectorAll('input:checked')].map((el) => el.value), description: desc.value,
        }), (inc) => { selected = inc.id; desc.value = ''; });
      });
      return form;
    }

    async function run(call, then) {
      error.textContent = '';
      try {
        const result = await call();
        if (then) then(result);
        await refresh();
      } catch (err) {
        error.textContent = err.message;
      }
    }

    function stepButton(step, inc) {
      const post = (path, body) => run(() => ctx.api.post(`/api/v1/incidents/${inc.id}/${path}`, body));
      const text = h('input', { class: 'step-text', id: `step-text-${step}`, dir: 'auto',
        'aria-label': t(`incidents.step_text.${step}`), placeholder: t(`incidents.step_text.${step}`) });
      const btn = (onclick) => label('button', `incidents.step.${step}`, { type: 'button', class: 'btn',
        id: `step-${step}`, onclick });
      if (step === 'ack') return btn(() => post('ack'));
      if (step === 'review') return btn(() => post('review'));
      if (step === 'agree') return inc.finding ? btn(() => post(`findings/${inc.finding.id}/agree`)) : null;
      const path = { ask: 'questions', propose: 'findings', dispute: 'dispute' }[step];
      return h('span', { class: 'step' }, text, btn(() => post(path, { text: text.value })));
    }

    function renderDetail(inc) {
      if (!inc) { detail.replaceChildren(label('p', 'incidents.none', { class: 'muted' })); return; }
      const names = (ids) => ids.map((p) => ctx.partyName(p)).join(', ');
      const questions = inc.questions.map((q) => h('li', { class: 'question', id: `question-${q.id}` },
        h('strong', {}, tNodes('incidents.question', { from: ctx.partyName(q.from), to: ctx.partyName(q.to) })), ' ',
        userText('span', q.text),
        q.answer ? h('div', { class: 'answer' }, label('strong', 'incidents.answer'), ' ', userText('span', q.answer.text))
          : q.to === ctx.party ? h('span', { class: 'step' },
            h('input', { id: `answer-${q.id}`, dir: 'auto', 'aria-label': t('incidents.answer') }),
            label('button', 'incidents.step.answer', { type: 'button', class: 'btn', id: `answer-btn-${q.id}`,
              onclick: () => run(() => ctx.api.post(`/api/v1/incidents/${inc.id}/questions/${q.id}/answer`,
                { text: document.getElementById(`answer-${q.id}`).value })) })) : null));
      const evidence = inc.evidence.map((e) => h('li', {}, h('a', { href: `/api/v1/incidents/${inc.id}/evidence/${e.sha256}` },
        userText('bdi', e.filename)), ' ', h('code', { class: 'sha', dir: 'ltr', text: `sha256:${e.sha256}` })));
      const sector = inc.sector ? (has(`sector.${inc.sector}`) ? t(`sector.${inc.sector}`) : inc.sector) : null;
      // Through h()'s child list, which skips nulls (replaceChildren would print "null").
      detail.replaceChildren(...h('div', {},
        h('h3', {}, category(inc.category), ' · ', h('bdi', { class: 'dtg', text: inc.reported_dtg })),
        h('p', {}, h('span', { class: `status status-${inc.status}`, id: 'incident-status', dataset: { status: inc.status },
          text: status(inc.status) }),
          ' ', label('span', 'incidents.awaiting'), ' ', h('span', { id: 'incident-awaiting', text: names(inc.awaiting) || '—' })),
        userText('p', inc.description, inc.language),
        h('p', { class: 'muted' }, tNodes('incidents.where', { grid: inc.location.formats.mgrs || '',
          radius: inc.location.uncertainty_m, sector: sector || '—' })),
        inc.finding ? h('p', { class: 'finding', id: 'incident-finding' }, label('strong', 'incidents.finding'), ' ',
          userText('span', inc.finding.text), ' ',
          h('span', { class: 'muted' }, tNodes('incidents.agreed_by', { parties: names(Object.keys(inc.finding.agreed)) })))
          : null,
        h('div', { class: 'steps' }, ctx.canSpeak ? STEPS[inc.status].map((s) => stepButton(s, inc)) : null),
        questions.length ? h('ol', { class: 'questions' }, questions) : null,
        evidence.length ? h('ul', { class: 'evidence' }, evidence) : null,
        label('h4', 'incidents.history'),
        h('ol', { class: 'history', id: 'incident-history' }, inc.history.map((e) => h('li', { dataset: { type: e.type } },
          h('bdi', { class: 'dtg', text: `${e.ts.slice(0, 16).replace('T', ' ')}Z` }), ' ',
          has(`incident.event.${e.type}`) ? t(`incident.event.${e.type}`) : e.type, ' ',
          e.party ? h('span', { class: 'ack-party', text: ctx.partyName(e.party) }) : null, ' ',
          e.actor && e.actor !== 'hotline' ? h('bdi', { class: 'username', text: e.actor }) : null)))).childNodes);
    }

    async function refresh() {
      const { incidents } = await ctx.api.get('/api/v1/incidents');
      list.replaceChildren(...incidents.map((inc) => {
        const btn = h('button', { type: 'button', class: 'inc-item', id: `incident-${inc.id}`,
          'aria-pressed': String(inc.id === selected), onclick: () => { selected = inc.id; refresh(); } },
        h('span', { class: `status status-${inc.status}`, dataset: { status: inc.status }, text: status(inc.status) }),
        ' ', h('span', {}, category(inc.category), ' · ', ctx.partyName(inc.party), ' · ',
          h('bdi', { class: 'dtg', text: inc.reported_dtg })),
        inc.awaiting.includes(ctx.party) ? label('span', 'incidents.your_turn', { class: 'your-turn' }) : null);
        return h('li', {}, btn);
      }));
      renderDetail(incidents.find((i) => i.id === selected) || null);
    }

    const off = ctx.bus.subscribe('*', (ev) => {
      if (ev.type.startsWith('incident.') || ev.type === 'evidence.attached') refresh();
    });
    refresh();
    return () => off();
  },
};
