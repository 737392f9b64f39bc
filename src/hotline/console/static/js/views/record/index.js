// The agreed record: per channel, the newest checkpoint every member party's witness cosigned, how many
// events it covers, how far each party has cosigned, and any witness alarm (witness.alarm_raised).
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

// Strings fall back to English until the catalogs carry the record.* keys.
const tr = (key, en, params) => { const s = t(key, params); return s && s !== key ? s : en; };
const POLL_MS = 3000;

export default {
  id: 'record',
  titleKey: 'view.record',
  mount(root, ctx) {
    const alarms = h('ul', { class: 'record-alarms', id: 'record-alarms', role: 'alert' });
    const table = h('tbody', { id: 'record-rows' });
    root.append(h('section', { class: 'record', 'aria-labelledby': 'record-title' },
      h('h2', { id: 'record-title', text: tr('record.title', 'Agreed record') }),
      h('p', { class: 'muted', text: tr('record.hint', 'A checkpoint is agreed when the witness of every member '
        + 'party has checked and cosigned it. Events it covers can no longer be rewritten unnoticed.') }),
      alarms,
      h('table', { class: 'record-table' },
        h('thead', {}, h('tr', {}, ...[['record.channel', 'Channel'], ['record.events', 'Events'],
          ['record.agreed', 'Agreed up to'], ['record.cosigned', 'Cosigned by party']]
          .map(([k, en]) => h('th', { text: tr(k, en) })))),
        table)));

    async function refresh() {
      let data;
      try { data = await ctx.api.get('/api/v1/witness/agreed'); } catch { return; }
      table.replaceChildren(...data.channels.map((c) => {
        const latest = c.latest ? c.latest.size : 0;
        const agreed = c.agreed ? c.agreed.size : 0;
        const state = !latest ? 'empty' : agreed === latest ? 'agreed' : 'pending';
        return h('tr', { id: `record-${c.channel}`, dataset: { state, agreed, latest } },
          h('td', { text: c.channel }),
          h('td', { text: String(latest) }),
          h('td', { class: `record-${state}`, text: agreed ? tr('record.upto', `${agreed} of ${latest}`,
            { agreed, latest }) : tr('record.none', 'not yet') }),
          h('td', { text: Object.entries(c.cosigned_size).map(([p, n]) => `${ctx.partyName(p)}: ${n ?? '–'}`)
            .join(' · ') }));
      }));
    }

    function onAlarm(ev) {
      alarms.append(h('li', { class: 'record-alarm', dataset: { seq: ev.seq } },
        h('strong', { text: `${tr('record.alarm', 'Witness alarm')} (${ctx.partyName(ev.payload.party)}): ` }),
        h('bdi', { text: ev.payload.detail })));
      refresh();
    }

    const unsubscribe = ctx.bus.subscribe('witness.alarm_raised', onAlarm);
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => { clearInterval(timer); unsubscribe(); };
  },
};
