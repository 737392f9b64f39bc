// The alert-level banner: shown on every console page while the line is heightened or in crisis, or a
// party has suspended its participation, with who changed it, when and why (the reason is user text).
import { h, userText } from '../dom.js';
import { onLanguageChange, t } from '../i18n.js';

export function mountBanner(host, ctx, model) {
  function render(snap) {
    host.replaceChildren();
    const level = snap?.level || 'normal';
    document.body.dataset.alertLevel = level;
    const suspended = Object.entries(snap?.suspended || {});
    host.hidden = level === 'normal' && suspended.length === 0;
    if (level !== 'normal') {
      host.append(h('p', { class: `level level-${level}`, id: 'alert-level-text' },
        h('strong', { text: t(`line.level.${level}`) }), ' ',
        h('span', { class: 'muted', text: t('line.changed_by', { who: snap.level_by || '', time: (snap.level_since || '').slice(11, 16) + 'Z' }) }),
        ' ', userText('bdi', snap.level_reason || '')));
    }
    for (const [party, info] of suspended) {
      host.append(h('p', { class: 'suspension', dataset: { party } },
        h('strong', { text: t('line.suspended', { party: ctx.partyName(party) }) }), ' ', userText('bdi', info.reason)));
    }
  }
  const off = model.onChange(render);
  const offLang = onLanguageChange(() => render(model.snapshot));
  return () => { off(); offLang(); host.replaceChildren(); host.hidden = true; };
}
