// Deliveries that gave up and webhook targets that were disabled, for the party concerned: an alert
// that stays on screen (role=alert) until dismissed. The ledger events come live over the stream
// (notify.delivery_failed, notify.target_disabled); those from before this page loaded are read from
// the delivery log once.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ensureStyles } from '../translate/styles.js';
import { targetName } from './history.js';

export function watchDeliveryFailures(ctx) {
  if (!ctx.party) return () => {};
  ensureStyles();
  const list = h('ul', { class: 'esc-alerts', id: 'esc-alerts', role: 'alert', 'aria-live': 'assertive' });
  document.body.append(list);
  const shown = new Set();

  function show(key, text) {
    if (shown.has(key)) return;
    shown.add(key);
    const close = h('button', { type: 'button', class: 'btn btn-quiet', text: '×', 'aria-label': t('esc.dismiss') });
    const li = h('li', { dataset: { key } }, h('span', { text }), close);
    close.addEventListener('click', () => li.remove());
    list.append(li);
  }

  const text = (medium, target, disabled) => t(disabled ? 'esc.alert.disabled' : 'esc.alert.failed', {
    medium: t(`esc.medium.${medium}`), target: targetName(target, ctx) });

  const off = ctx.bus.subscribe('notify.*', (ev) => {
    if (ev.payload.party !== ctx.party) return;
    // Keyed by item, step, target and medium (what the delivery log also gives): no seq is shared by
    // the two, since the log is numbered in this party's cursors and the payload names none.
    show(`${ev.payload.item_id}:${ev.payload.step}:${ev.payload.target}:${ev.payload.medium}:${ev.type}`,
      text(ev.payload.medium, ev.payload.target, ev.type === 'notify.target_disabled'));
  });
  ctx.api.get('/api/v1/deliveries?limit=200').then(({ deliveries }) => {
    for (const d of deliveries) {
      if (d.status === 'failed' && d.medium !== 'console' && (d.target_party || d.party) === ctx.party) {
        show(`${d.item_id}:${d.step}:${d.target}:${d.medium}:notify.delivery_failed`, text(d.medium, d.target, false));
      }
    }
  }).catch(() => {});
  return () => { off(); list.remove(); };
}
