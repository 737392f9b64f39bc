// The link-test prompt: while a link test is open at one of the caller's party's desks, a dialog that
// cannot be missed, with a quieter version of the FLASH beep, answered with one click or Enter (the
// answer button has the focus). data-linktest on <body> says "open" or "none".
import { h } from '../dom.js';
import { label, t } from '../i18n.js';

const BEEP_EVERY_MS = 2000;

export function mountLinkTest(host, ctx, model) {
  let audio = null;
  let timer = null;
  let shown = null;

  function beep() {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = 660;
      gain.gain.value = 0.03; // a FLASH beeps at 0.08: this one is noticeable, not alarming
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime);
      osc.stop(audio.currentTime + 0.2);
    } catch { /* no audio device: the dialog still shows */ }
  }

  function close() {
    clearInterval(timer);
    timer = null;
    shown = null;
    host.hidden = true;
    host.replaceChildren();
    document.body.dataset.linktest = 'none';
  }

  function render(snap) {
    if (!ctx.canSpeak) return close();
    const desk = (snap?.desks || []).find((d) => d.party === ctx.party && d.linktest?.open);
    if (!desk) return close();
    const test = desk.linktest.open;
    if (shown === test.id) return undefined;
    shown = test.id;
    const error = h('p', { class: 'form-error', role: 'alert' });
    const answer = label('button', 'linktest.answer', { type: 'button', class: 'btn btn-ack', id: 'linktest-answer' });
    answer.addEventListener('click', async () => {
      try {
        await ctx.api.post(`/api/v1/desks/${desk.id}/linktests/${encodeURIComponent(test.id)}/answer`);
        close();
        await model.refresh();
      } catch (err) { error.textContent = err.message; await model.refresh(); }
    });
    host.replaceChildren(h('div', { class: 'linktest-box' },
      label('strong', 'linktest.title'),
      h('p', { text: t('linktest.body', { time: test.due_at.slice(11, 19) + 'Z' }) }), answer, error));
    host.hidden = false;
    document.body.dataset.linktest = 'open';
    answer.focus();
    clearInterval(timer);
    beep();
    timer = setInterval(beep, BEEP_EVERY_MS);
    return undefined;
  }
  document.body.dataset.linktest = 'none';
  const off = model.onChange(render);
  return () => { off(); close(); };
}
