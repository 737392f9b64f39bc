// The desk status strip on every console page: each desk's state (manned, unattended, unmanned,
// suspended), the officer's name, since when, and its last link-test answer; sign-on and sign-off for
// the caller's own party's desks. Each desk is <li data-desk=ID data-status=STATE>.
import { h } from '../dom.js';
import { label, language, onLanguageChange, t } from '../i18n.js';

const hhmm = (iso) => (iso ? `${iso.slice(11, 16)}Z` : '—');

export function mountStrip(host, ctx, model, { onHandover }) {
  const list = h('ul', { class: 'desk-list', id: 'desk-list', 'data-i18n-attr': 'aria-label:desk.strip',
    'aria-label': t('desk.strip') });
  const error = h('span', { class: 'desk-error', role: 'alert' });
  host.replaceChildren(list, error);
  host.hidden = false;

  const act = async (path, body) => {
    error.textContent = '';
    try { await ctx.api.post(path, body); await model.refresh(); } catch (err) { error.textContent = err.message; }
  };

  function item(desk) {
    const status = desk.suspended ? 'suspended' : desk.status;
    const name = desk.names[language()] || desk.names.en || desk.id;
    const parts = [
      h('span', { class: `party-badge party-${desk.party}`, text: ctx.partyName(desk.party) }),
      h('bdi', { class: 'desk-name', text: name }),
      h('span', { class: 'desk-status', text: t(`desk.status.${status}`) }),
    ];
    if (desk.alert) {
      parts.push(h('strong', { class: 'desk-alert', dataset: { level: desk.alert },
        text: t(desk.alert > 1 ? 'desk.alert_mediator' : 'desk.alert_supervisors') }));
    }
    if (desk.officer) parts.push(h('bdi', { class: 'desk-officer', text: desk.officer.name }));
    parts.push(h('span', { class: 'desk-since muted', text: t('desk.since', { time: hhmm(desk.since) }) }));
    const last = desk.linktest?.last;
    if (last) {
      parts.push(h('span', { class: 'desk-linktest muted', text: last.missed
        ? t('desk.linktest_missed', { time: hhmm(last.at) })
        : t('desk.linktest_answered', { time: hhmm(last.at), s: Math.round(last.answer_s) }) }));
    }
    if (ctx.canSpeak && desk.party === ctx.party) {
      const mine = desk.officer?.username === ctx.me.username;
      if (!mine) {
        parts.push(label('button', desk.officer ? 'desk.take_over' : 'desk.sign_on', {
          type: 'button', class: 'btn btn-small desk-sign-on', onclick: () => act(`/api/v1/desks/${desk.id}/sign-on`) }));
      } else {
        parts.push(label('button', 'desk.handover', { type: 'button', class: 'btn btn-small desk-handover',
          onclick: () => onHandover(desk) }));
      }
      if (mine || (desk.officer && ctx.me.role === 'supervisor')) {
        parts.push(label('button', 'desk.sign_off', { type: 'button', class: 'btn btn-small desk-sign-off',
          onclick: () => act(`/api/v1/desks/${desk.id}/sign-off`, {}) }));
      }
    }
    return h('li', { class: `desk desk-${status}`, dataset: { desk: desk.id, status, party: desk.party } }, parts);
  }

  const render = (snap) => { list.replaceChildren(...(snap?.desks || []).map(item)); };
  const offModel = model.onChange(render);
  const offLang = onLanguageChange(() => render(model.snapshot));
  return () => { offModel(); offLang(); host.replaceChildren(); };
}
