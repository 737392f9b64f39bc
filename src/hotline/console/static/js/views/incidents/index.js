// Incidents: the list with each one's state and who must act next; the chosen incident's detail,
// its history, and the workflow steps this user may take. The server enforces every rule; the
// buttons only save a round trip, and a refusal is shown as the server worded it.
import { h, userText } from '../../dom.js';
import { label, t } from '../../i18n.js';

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
    const list = h('ul', { class: 'inc-list', id: 'incident-list', role: 'list' });
    const detail = h('section', { class: 'inc-detail', id: 'incident-detail', 'aria-live': 'polite' });
    const error = h('p', { class: 'form-error', id: 'incident-error', role: 'alert' });
    root.append(h('div', { class: 'inc-layout' },
      h('div', { class: 'inc-col' }, label('h2', 'incidents.title'), reportForm(), list),
      h('div', { class: 'inc-col' }, error, detail)));

    function reportForm() {
      const cat = h('select', { id: 'inc-category', name: 'category' },
        ['uav_sighting', 'airspace_violation', 'exchange_of_fire', 'line_crossing', 'civilian_detention',
          'property_damage', 'mine_uxo', 'other'].map((c) => h('option', { value: c, text: category(c) })));
      const loc = h('input', { id: 'inc-location', name: 'location', value: '33.1256, 35.8241', 'aria-label': 'location' });
      const radius = h('input', { id: 'inc-radius', name: 'radius', type: 'number', value: '300', 'aria-label': 'radius (m)' });
      const involved = h('input', { id: 'inc-involved', name: 'involved', value: ctx.party === 'isr' ? 'syr' : 'isr',
        'aria-label': 'involved parties' });
      const desc = h('textarea', { id: 'inc-description', name: 'description', rows: 2, 'aria-label': 'description' });
      const form = h('form', { class: 'inc-form', id: 'incident-form' },
        label('h3', 'incidents.report'), cat, loc, radius, involved, desc,
        label('button', 'incidents.submit', { type: 'submit', class: 'btn btn-primary', id: 'inc-submit' }));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const started = new Date(new Date(ctx.now()).getTime() - 5 * 60000).toISOString();
        await run(() => ctx.api.post('/api/v1/incidents', {
          category: cat.value, occurred_from: started, location: { text: loc.value, uncertainty_m: Number(radius.value) },
          involved: involved.value.split(/[ ,]+/).filter(Boolean), description: desc.value,
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
      const text = h('input', { class: 'step-text', id: `step-text-${step}`, 'aria-label': step });
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
      const questions = inc.questions.map((q) => h('li', { class: 'question', id: `question-${q.id}` },
        h('strong', { text: `${q.id} ${q.from} → ${q.to}: ` }), userText('span', q.text),
        q.answer ? h('div', { class: 'answer' }, h('strong', { text: '↳ ' }), userText('span', q.answer.text))
          : q.to === ctx.party ? h('span', { class: 'step' },
            h('input', { id: `answer-${q.id}`, 'aria-label': 'answer' }),
            label('button', 'incidents.step.answer', { type: 'button', class: 'btn', id: `answer-btn-${q.id}`,
              onclick: () => run(() => ctx.api.post(`/api/v1/incidents/${inc.id}/questions/${q.id}/answer`,
                { text: document.getElementById(`answer-${q.id}`).value })) })) : null));
      const evidence = inc.evidence.map((e) => h('li', {}, h('a', { href: `/api/v1/incidents/${inc.id}/evidence/${e.sha256}`,
        text: e.filename }), h('code', { class: 'sha', text: ` sha256:${e.sha256}` })));
      detail.replaceChildren(
        h('h3', { text: `${category(inc.category)} · ${inc.reported_dtg}` }),
        h('p', {}, h('span', { class: `status status-${inc.status}`, id: 'incident-status', dataset: { status: inc.status },
          text: status(inc.status) }),
          ' ', label('span', 'incidents.awaiting'), h('span', { id: 'incident-awaiting', text: ` ${inc.awaiting.join(', ') || '—'}` })),
        userText('p', inc.description, inc.language),
        h('p', { class: 'muted', text: `${inc.location.formats.mgrs || ''} · ±${inc.location.uncertainty_m} m · ${inc.sector}` }),
        inc.finding ? h('p', { class: 'finding', id: 'incident-finding' }, h('strong', { text: `#${inc.finding.id} ` }),
          userText('span', inc.finding.text), h('span', { class: 'muted', text: ` (${Object.keys(inc.finding.agreed).join(', ')})` })) : null,
        h('div', { class: 'steps' }, ctx.canSpeak ? STEPS[inc.status].map((s) => stepButton(s, inc)) : null),
        questions.length ? h('ol', { class: 'questions' }, questions) : null,
        evidence.length ? h('ul', { class: 'evidence' }, evidence) : null,
        label('h4', 'incidents.history'),
        h('ol', { class: 'history', id: 'incident-history' }, inc.history.map((e) => h('li', {
          text: `${e.ts.slice(0, 19).replace('T', ' ')}Z ${e.type} ${e.party || ''} ${e.actor}` }))));
    }

    async function refresh() {
      const { incidents } = await ctx.api.get('/api/v1/incidents');
      list.replaceChildren(...incidents.map((inc) => {
        const btn = h('button', { type: 'button', class: 'inc-item', id: `incident-${inc.id}`,
          'aria-pressed': String(inc.id === selected), onclick: () => { selected = inc.id; refresh(); } },
        h('span', { class: `status status-${inc.status}`, dataset: { status: inc.status }, text: status(inc.status) }),
        h('span', { text: ` ${category(inc.category)} · ${ctx.partyName(inc.party)} · ${inc.reported_dtg}` }),
        inc.awaiting.includes(ctx.party) ? h('span', { class: 'count count-hot', text: '!' }) : null);
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
