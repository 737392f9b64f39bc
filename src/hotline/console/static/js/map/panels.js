// Detail panels: a finding with its rule and both notices; a notice with its lead-time record.
import { h } from '../dom.js';
import { label, t } from '../i18n.js';

function forcesText(f) {
  if (!f) return '—';
  const arty = (f.artillery || []).reduce((n, a) => n + a.count, 0);
  const parts = [['troops', f.troops], ['tanks', f.tanks], ['artillery', arty], ['sam', f.sam],
    ['aircraft', f.aircraft]].filter(([, v]) => v).map(([k, v]) => `${v} ${t(`notice.force.${k}`)}`);
  return parts.join(', ') || '—';
}

/** A notice: who, what, when, forces, the lead time as recorded, and "information, not a permission". */
export function noticePanel(s, ctx) {
  const n = s.notice;
  const lead = s.lead_time;
  return h('article', { class: 'map-notice', id: `notice-${s.notice_id}`, dataset: { notice: s.notice_id } },
    h('h3', { text: `${ctx.partyName(s.party)} · ${t(`notice.type.${n.type}`)}` }),
    label('p', 'map.not_permission', { class: 'not-permission' }),
    h('p', { dir: 'ltr', class: 'mono', text: `${n.window.start} → ${n.window.end}` }),
    h('p', { text: `${t('notice.forces')}: ${forcesText(n.forces)}` }),
    h('p', { class: lead.late ? 'late' : 'muted', text: t(lead.late ? 'map.lead_late' : 'map.lead_ok', {
      actual: (lead.actual_s / 3600).toFixed(1), required: (lead.required_s / 3600).toFixed(1) }) }),
    n.text ? h('p', { class: 'user-text', dir: 'auto', text: n.text }) : null,
    h('p', { class: 'muted', text: `${s.status} · ${s.notice_id}` }));
}

/** A finding: the rule, what it says, where and when, by how much, both notices, and the acknowledgement. */
export function findingPanel(f, ctx, { onAck }) {
  const d = f.finding;
  const notices = h('div', { class: 'map-finding-notices' });
  Promise.all(d.notices.map((id) => ctx.api.get(`/api/v1/notices/${encodeURIComponent(id)}`).catch(() => null)))
    .then((list) => notices.replaceChildren(...list.filter(Boolean).map((s) => noticePanel(s, ctx))));
  const mine = ctx.party && f.addressees[ctx.party];
  const ackBtn = mine && !mine.ack && ctx.canSpeak
    ? h('button', { type: 'button', id: 'finding-ack', class: 'primary', onclick: async () => {
      ackBtn.disabled = true;
      try { await onAck(); } catch { ackBtn.disabled = false; }
    } }, label('span', 'map.ack'))
    : null;
  const acks = Object.entries(f.addressees).map(([party, e]) => h('li', {
    class: e.ack ? 'acked' : (e.overdue ? 'overdue' : 'awaiting'), dataset: { party },
    text: `${ctx.partyName(party)}: ${e.ack ? t('map.acked') : t(e.overdue ? 'map.overdue' : 'map.awaiting')}` }));
  return h('article', { class: 'map-finding-detail', id: `finding-${f.finding_id}`, dataset: { finding: f.finding_id,
    status: f.status } },
  h('h3', { class: 'finding-rule', text: t(`rule.${d.rule}`) }),
  h('p', { class: 'mono', dir: 'ltr', text: d.rule + (d.zone ? ` · ${d.zone}` : '') }),
  h('p', { dir: 'ltr', text: d.explanation }),
  h('p', { dir: 'ltr', class: 'mono', text: `${d.where.lat}, ${d.where.lon} · ${d.when.start} → ${d.when.end}` }),
  // "By how much", as the engine measured it: one "name value" pair per line, in the record's own terms.
  h('dl', { class: 'map-rules', dir: 'ltr' }, ...Object.entries(d.by_how_much || {}).flatMap(([name, value]) => [
    h('dt', { text: name.replace(/_/g, ' ') }),
    h('dd', { text: Array.isArray(value) ? value.join(' – ') : String(value) })])),
  h('ul', { class: 'map-acks', id: 'finding-acks' }, acks),
  ackBtn, label('h4', 'map.notices'), notices);
}
