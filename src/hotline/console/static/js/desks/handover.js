// The handover dialog. Outgoing: the open items the server lists for the party, and a note, sent as the
// prepared handover. Incoming: the handover received, acknowledged item by item or as a whole.
import { h, userText } from '../dom.js';
import { label, t } from '../i18n.js';

export function createHandover(host, ctx, model) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const close = () => { host.hidden = true; host.replaceChildren(); };
  const itemLine = (item, extra) => h('li', { class: 'handover-item', dataset: { item: item.id } }, extra,
    h('span', { class: 'muted', text: t(`handover.kind.${item.kind}`) }), ' ', userText('bdi', item.label),
    item.deadline ? h('span', { class: 'muted', text: ` ${item.deadline.slice(11, 16)}Z` }) : null);

  async function outgoing(desk) {
    error.textContent = '';
    let items = [];
    try { items = (await ctx.api.get(`/api/v1/desks/${desk.id}/handover/items`)).items; } catch (err) { error.textContent = err.message; }
    const note = h('textarea', { id: 'handover-note', rows: 4, maxlength: 2000, dir: 'auto',
      'data-i18n-attr': 'aria-label:handover.note', 'aria-label': t('handover.note') });
    const send = label('button', 'handover.send', { type: 'button', class: 'btn btn-primary', id: 'handover-send' });
    send.addEventListener('click', async () => {
      try {
        await ctx.api.post(`/api/v1/desks/${desk.id}/handover`, { note: note.value });
        close();
      } catch (err) { error.textContent = err.fields.note || err.message; }
    });
    const cancel = label('button', 'handover.cancel', { type: 'button', class: 'btn', onclick: close });
    host.replaceChildren(h('div', { class: 'handover-box', role: 'dialog', 'aria-modal': 'true' },
      label('h2', 'handover.title_out'),
      items.length ? h('ul', { class: 'handover-items' }, items.map((i) => itemLine(i))) : label('p', 'handover.nothing_open'),
      label('label', 'handover.note', { for: 'handover-note' }), note, h('div', { class: 'actions' }, send, cancel), error));
    host.hidden = false;
    note.focus();
  }

  let shownFor = null;
  function incoming(snap) {
    const desk = (snap?.desks || []).find((d) => d.handover && !d.handover.complete && d.handover.to === ctx.me.username);
    if (!desk) {
      if (shownFor) { shownFor = null; close(); }
      return;
    }
    const ho = desk.handover;
    const key = `${ho.id}|${ho.acked.join(',')}`;
    if (shownFor === key) return;
    shownFor = key;
    const ack = async (items) => {
      try {
        await ctx.api.post(`/api/v1/desks/${desk.id}/handover/${encodeURIComponent(ho.id)}/ack`, items ? { items } : {});
        await model.refresh();
      } catch (err) { error.textContent = err.message; }
    };
    const lines = ho.items.map((item) => {
      const done = ho.acked.includes(item.id);
      const btn = done ? h('span', { class: 'ok', text: '✓ ' })
        : label('button', 'handover.ack_item', { type: 'button', class: 'btn btn-small', onclick: () => ack([item.id]) });
      return itemLine(item, btn);
    });
    const all = label('button', 'handover.ack_all', { type: 'button', class: 'btn btn-primary', id: 'handover-ack-all',
      onclick: () => ack(null) });
    host.replaceChildren(h('div', { class: 'handover-box', role: 'dialog', 'aria-modal': 'true', dataset: { handover: ho.id } },
      h('h2', { text: t('handover.title_in', { from: ho.from }) }),
      ho.note ? userText('p', ho.note) : null,
      lines.length ? h('ul', { class: 'handover-items' }, lines) : label('p', 'handover.nothing_open'),
      h('div', { class: 'actions' }, all), error));
    host.hidden = false;
  }
  const off = model.onChange(incoming);
  return { outgoing, dispose: () => { off(); close(); } };
}
