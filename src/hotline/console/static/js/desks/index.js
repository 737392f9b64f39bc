// The staffed desks on every console page: the status strip (in the header's #desk-slot), the
// alert-level banner, the link-test prompt and the handover dialog. mountDesks(ctx) returns the
// function that removes them; the roster is a view of its own (roster.js, listed in views/index.js).
import { h } from '../dom.js';
import { applyI18n } from '../i18n.js';
import { mountBanner } from './banner.js';
import { createHandover } from './handover.js';
import { mountLinkTest } from './linktest.js';
import { createDeskModel } from './model.js';
import { ensureDesksCss } from './roster.js';
import { mountStrip } from './strip.js';

function host(id, tag = 'div', props = {}) {
  let el = document.getElementById(id);
  if (!el) {
    el = h(tag, { id, ...props });
    // The strip lives in the header's one row (#desk-slot); the banner and the dialogs below the header.
    const slot = id === 'desk-strip' && document.getElementById('desk-slot');
    if (slot) slot.append(el);
    else (document.getElementById('desk-banner') || document.getElementById('bar')).after(el);
  }
  return el;
}

export function mountDesks(ctx) {
  ensureDesksCss();
  const model = createDeskModel(ctx);
  const strip = host('desk-strip', 'div', { class: 'desk-strip', role: 'status' });
  const banner = host('desk-banner', 'div', { class: 'desk-banner', role: 'alert', hidden: true });
  const prompt = host('linktest-prompt', 'div', { class: 'linktest-prompt', role: 'alertdialog', hidden: true });
  const dialog = host('handover-dialog', 'div', { class: 'handover-dialog', hidden: true });
  const handover = createHandover(dialog, ctx, model);
  const offs = [
    mountStrip(strip, ctx, model, { onHandover: (desk) => handover.outgoing(desk) }),
    mountBanner(banner, ctx, model),
    mountLinkTest(prompt, ctx, model),
    handover.dispose,
  ];
  applyI18n(strip);
  model.refresh();
  return () => { for (const off of offs) off(); model.dispose(); };
}
