// Detail panels: a finding with its rule and both notices; a notice with its lead-time record.
import { h, userText } from '../dom.js';
import { has, label, t, tNodes } from '../i18n.js';
import { dtg } from '../time.js';

/** Declared forces as nodes ("60 troops, 14 tanks"): each number isolated, each word from the catalog. */
function forcesText(f) {
  if (!f) return '—';
  const arty = (f.artillery || []).reduce((n, a) => n + a.count, 0);
  const parts = [['troops', f.troops], ['tanks', f.tanks], ['artillery', arty], ['sam', f.sam],
    ['aircraft', f.aircraft]].filter(([, v]) => v);
  if (!parts.length) return '—';
  return parts.flatMap(([k, v], i) => [i ? t('list.sep') : null,
    h('span', { class: 'force' }, h('bdi', { text: String(v) }), ' ', t(`notice.force.${k}`))]).filter(Boolean);
}

/** A notice: who, what, when, forces, the lead time as recorded, and "information, not a permission". */
export function noticePanel(s, ctx) {
  const n = s.notice;
  const lead = s.lead_time;
  const status = has(`notice.status.${s.status}`) ? t(`notice.status.${s.status}`) : s.status;
  return h('article', { class: 'map-notice', id: `notice-${s.notice_id}`, dataset: { notice: s.notice_id } },
    h('h3', {}, ctx.partyName(s.party), ' · ', t(`notice.type.${n.type}`)),
    label('p', 'map.not_permission', { class: 'not-permission' }),
    h('p', {}, tNodes('map.window', { start: dtg(n.window.start), end: dtg(n.window.end) })),
    h('p', {}, t('notice.forces'), ': ', forcesText(n.forces)),
    h('p', { class: lead.late ? 'late' : 'muted' }, tNodes(lead.late ? 'map.lead_late' : 'map.lead_ok', {
      actual: (lead.actual_s / 3600).toFixed(1), required: (lead.required_s / 3600).toFixed(1) })),
    n.text ? userText('p', n.text) : null,
    h('p', { class: 'muted' }, status, ' · ', h('bdi', { class: 'mono', text: s.notice_id })));
}

/**
 * The finding explained in the reader's language, from its structured fields (rule, parties, zone,
 * time and by how much); the server's English sentence is kept for the record in the export only.
 */
export function explain(d, ctx, zoneName) {
  const by = d.by_how_much || {};
  const band = (b) => (Array.isArray(b) ? b.join('–') : '');
  const params = {
    party: ctx.partyName(d.parties[0]), other: ctx.partyName(d.parties[1] || d.parties[0]),
    zone: d.zone ? zoneName(d.zone) : '', start: dtg(d.when.start), end: dtg(d.when.end),
    forces: h('span', { class: 'forces' }, forcesText({ troops: by.troops, tanks: by.tanks, sam: by.sam,
      artillery: by.artillery ? [{ count: by.artillery }] : [] })),
    ...Object.fromEntries(Object.entries(by).map(([k, v]) => [k, Array.isArray(v) ? band(v) : v])),
  };
  if (d.rule.startsWith('limitation.') && !d.rule.endsWith('_range')) {
    params.quantity = t(`notice.force.${d.rule.split('.')[1]}`);
  }
  const key = has(`explain.${d.rule}`) ? `explain.${d.rule}` : 'explain.other';
  return tNodes(key, params);
}

/** A finding: the rule, what it says, where and when, both notices, and the acknowledgement. */
export function findingPanel(f, ctx, { onAck, zoneName = (id) => id }) {
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
    class: e.ack ? 'acked' : (e.overdue ? 'overdue' : 'awaiting'), dataset: { party } },
  party === ctx.party ? t('party.you') : ctx.partyName(party), ': ',
  e.ack ? t('map.acked') : t(e.overdue ? 'map.overdue' : 'map.awaiting')));
  return h('article', { class: 'map-finding-detail', id: `finding-${f.finding_id}`, dataset: { finding: f.finding_id,
    status: f.status, rule: d.rule } },
  h('h3', { class: 'finding-rule', text: t(`rule.${d.rule}`) }),
  h('p', { class: 'finding-explanation' }, explain(d, ctx, zoneName)),
  h('p', { class: 'muted' }, tNodes('map.where_when', { lat: d.where.lat, lon: d.where.lon,
    start: dtg(d.when.start), end: dtg(d.when.end) })),
  h('ul', { class: 'map-acks', id: 'finding-acks' }, acks),
  ackBtn, label('h4', 'map.notices'), notices);
}
