// The desk status strip on every console page: each desk's state (manned, unattended, unmanned,
// suspended), the officer's name, since when, and its last link-test answer; sign-on and sign-off for
// the caller's own party's desks. Each desk is <li data-desk=ID data-status=STATE>.
import { h } from '../dom.js';
import { label, language, onLanguageChange, t } from '../i18n.js';

// A mark beside the party, so the state reads without its colour too.
const MARKS = { manned: '●', unattended: '◐', unmanned: '○', suspended: '‖' };
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

  // In the header each desk is one chip: its party and a status mark, the caller's sign-on (or take-over)
  // button, and an alert when one is out; the rest (desk name, officer, since, last link test, hand
  // over, sign off) opens below the chip on hover or keyboard focus, so the header stays one row.
  function item(desk) {
    const status = desk.suspended ? 'suspended' : desk.status;
    const name = desk.names[language()] || desk.names.en || desk.id;
    const statusText = t(`desk.status.${status}`);
    const more = [
      h('bdi', { class: 'desk-name', text: name }),
      h('span', { class: 'desk-status', text: statusText }),
    ];
    if (desk.officer) more.push(h('bdi', { class: 'desk-officer', text: desk.officer.name }));
    more.push(h('span', { class: 'desk-since muted', text: t('desk.since', { time: hhmm(desk.since) }) }));
    const last = desk.linktest?.last;
    if (last) {
      more.push(h('span', { class: 'desk-linktest muted', text: last.missed
        ? t('desk.linktest_missed', { time: hhmm(last.at) })
        : t('desk.linktest_answered', { time: hhmm(last.at), s: Math.round(last.answer_s) }) }));
    }
    const moreBox = h('span', { class: 'desk-more' },
      h('strong', { class: 'desk-party', text: ctx.partyName(desk.party) }), more);
    const parts = [
      h('span', { class: 'desk-mark', 'aria-hidden': 'true', text: MARKS[status] || '○' }),
      // The party's code (data, as the server spells it) keeps three chips in the one header row; its
      // name heads the details and the chip's title.
      h('bdi', { class: `party-badge party-${desk.party}`, text: desk.party.toUpperCase() }),
      moreBox,
    ];
    if (desk.alert) {
      parts.push(h('strong', { class: 'desk-alert', dataset: { level: desk.alert },
        text: t(desk.alert > 1 ? 'desk.alert_mediator' : 'desk.alert_supervisors') }));
    }
    if (ctx.canSpeak && desk.party === ctx.party) {
      const mine = desk.officer?.username === ctx.me.username;
      if (!mine) {
        parts.push(label('button', desk.officer ? 'desk.take_over' : 'desk.sign_on', {
          type: 'button', class: 'btn btn-small desk-sign-on', onclick: () => act(`/api/v1/desks/${desk.id}/sign-on`) }));
      } else {
        // The officer on duty hands over and signs off from the desk's details: two buttons more in the
        // chip itself would break the header's one row in Arabic at 1280 wide.
        moreBox.append(label('button', 'desk.handover', { type: 'button', class: 'btn btn-small desk-handover',
          onclick: () => onHandover(desk) }));
      }
      if (mine || (desk.officer && ctx.me.role === 'supervisor')) {
        moreBox.append(label('button', 'desk.sign_off', { type: 'button', class: 'btn btn-small desk-sign-off',
          onclick: () => act(`/api/v1/desks/${desk.id}/sign-off`, {}) }));
      }
    }
    return h('li', { class: `desk desk-${status}`, tabindex: '0',
      title: `${ctx.partyName(desk.party)} · ${name}: ${statusText}`, dataset: { desk: desk.id, status, party: desk.party } }, parts);
  }

  const render = (snap) => { list.replaceChildren(...(snap?.desks || []).map(item)); };
  const offModel = model.onChange(render);
  const offLang = onLanguageChange(() => render(model.snapshot));
  return () => { offModel(); offLang(); host.replaceChildren(); };
}
