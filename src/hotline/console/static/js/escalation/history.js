// Escalation history of one item: who was told, how, when, and whether it arrived (the delivery log).
// Read when opened, and again whenever it is opened after a new step or attempt.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ensureStyles } from '../translate/styles.js';
import { dtg } from '../time.js';

export function targetName(key, ctx) {
  if (key.startsWith('principal:')) return key.slice('principal:'.length);
  const [party, who] = key.includes('/') ? key.split('/') : [null, key];
  const label = t(`esc.target.${who}`);
  return party && who !== 'mediator' ? `${ctx.partyName(party)} · ${label}` : label;
}

function row(d, ctx) {
  const last = d.log[d.log.length - 1];
  return h('tr', { dataset: { medium: d.medium, status: d.status } },
    h('td', { text: last ? dtg(last.at) : dtg(d.created_at) }),
    h('td', { text: String(d.step) }),
    h('td', { text: targetName(d.target, ctx) }),
    h('td', { text: t(`esc.medium.${d.medium}`) }),
    h('td', { class: `esc-${d.status}`, text: t(`esc.status.${d.status}`) }),
    h('td', { text: String(d.attempts) }),
    h('td', { class: 'muted', text: last ? last.detail || '' : '' }));
}

export function escalationHistory(m, ctx) {
  const steps = Object.values(m.addressees || {}).some((e) => e.overdue || e.step);
  if (!steps) return null;
  ensureStyles();
  const body = h('tbody');
  const details = h('details', { class: 'esc-history', id: `esc-${m.id}` },
    h('summary', { text: t('esc.title') }),
    h('table', {}, h('thead', {}, h('tr', {}, ...['esc.when', 'esc.step', 'esc.target', 'esc.medium', 'esc.status',
      'esc.attempts', 'esc.detail'].map((k) => h('th', { text: t(k) })))), body));
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    try {
      const { deliveries } = await ctx.api.get(`/api/v1/deliveries?item_id=${encodeURIComponent(m.id)}`);
      body.replaceChildren(...(deliveries.length ? deliveries.map((d) => row(d, ctx))
        : [h('tr', {}, h('td', { colspan: '7', class: 'muted', text: t('esc.none') }))]));
    } catch (err) { body.replaceChildren(h('tr', {}, h('td', { colspan: '7', text: err.message }))); }
  });
  return details;
}
