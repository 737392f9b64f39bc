// The agreed record: per channel, the newest checkpoint every member party's witness cosigned, how many
// events it covers, how far each party has cosigned, and any witness alarm (witness.alarm_raised).
import { h, userText } from '../../dom.js';
import { label, language, onLanguageChange, t, tNodes } from '../../i18n.js';

const POLL_MS = 3000;

export default {
  id: 'record',
  titleKey: 'view.record',
  mount(root, ctx) {
    const alarms = h('ul', { class: 'record-alarms', id: 'record-alarms', role: 'alert' });
    const table = h('tbody', { id: 'record-rows' });
    root.append(h('section', { class: 'record', 'aria-labelledby': 'record-title' },
      label('h2', 'record.title', { id: 'record-title' }),
      label('p', 'record.hint', { class: 'muted' }),
      alarms,
      h('table', { class: 'record-table' },
        h('thead', {}, h('tr', {}, ['record.channel', 'record.events', 'record.agreed', 'record.cosigned']
          .map((k) => label('th', k)))),
        table)));
    // Channels by their names in the reader's language, as everywhere else in the console.
    const channelName = (id) => {
      const c = ctx.channels.list.find((x) => x.id === id);
      return c ? (c.names[language()] || c.names.en) : id;
    };
    let last = null;
    async function refresh() {
      let data;
      try { data = await ctx.api.get('/api/v1/witness/agreed'); } catch { return; }
      last = data;
      render();
    }

    function render() {
      if (!last) return;
      table.replaceChildren(...last.channels.map((c) => {
        const latest = c.latest ? c.latest.size : 0;
        const agreed = c.agreed ? c.agreed.size : 0;
        const state = !latest ? 'empty' : agreed === latest ? 'agreed' : 'pending';
        const cosigned = Object.entries(c.cosigned_size).flatMap(([p, n], i) => [i ? ' · ' : null,
          h('span', { class: 'record-party' }, ctx.partyName(p), ': ', h('bdi', { text: n ?? '—' }))]);
        return h('tr', { id: `record-${c.channel}`, dataset: { state, agreed, latest } },
          h('td', { text: channelName(c.channel) }),
          h('td', {}, h('bdi', { text: String(latest) })),
          h('td', { class: `record-${state}` }, agreed ? tNodes('record.upto', { agreed, latest }) : t('record.none')),
          h('td', {}, cosigned));
      }));
    }

    function onAlarm(ev) {
      alarms.append(h('li', { class: 'record-alarm', dataset: { seq: ev.seq } },
        h('strong', {}, tNodes('record.alarm_of', { party: ctx.partyName(ev.payload.party) })), ' ',
        userText('bdi', ev.payload.detail)));
      refresh();
    }

    const unsubscribe = ctx.bus.subscribe('witness.alarm_raised', onAlarm);
    const offLang = onLanguageChange(render);
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => { clearInterval(timer); unsubscribe(); offLang(); };
  },
};
