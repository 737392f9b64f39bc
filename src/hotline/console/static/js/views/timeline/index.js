// The timeline: channels with what awaits this party, the live log of the chosen channel, compose.
import { h } from '../../dom.js';
import { label, language, onLanguageChange, t } from '../../i18n.js';
import { composeForm } from './compose.js';
import { renderMessage, tickCountdowns } from './message.js';

const PAGE = 50;

export default {
  id: 'timeline',
  titleKey: 'view.timeline',
  mount(root, ctx) {
    const stored = sessionStorage.getItem('hotline.channel');
    let channel = ctx.channels.list.some((c) => c.id === stored) ? stored
      : (ctx.channels.list.find((c) => c.id === ctx.world.common_channel) || ctx.channels.list[0])?.id;
    const cards = new Map();

    const channelList = h('ul', { class: 'channel-list', role: 'list' });
    const title = h('h2', { class: 'timeline-title', id: 'timeline-title' });
    const log = h('div', { class: 'timeline', id: 'timeline', role: 'log', 'aria-live': 'polite',
      'aria-relevant': 'additions', 'aria-labelledby': 'timeline-title' });
    const empty = label('p', 'timeline.empty', { class: 'muted empty' });
    const compose = composeForm(ctx, { channel: () => channel });
    const hint = label('p', 'timeline.keys', { class: 'muted keys-hint' });
    // Older messages page in as the officer scrolls to the end of the log (newest first, so the end
    // is the past): a sentinel after the last card asks the server for the page before the oldest seq.
    const older = h('p', { class: 'older-end muted', id: 'timeline-older', 'aria-live': 'polite' });
    const exhausted = new Set(); // channels whose first message is loaded
    let paging = false;

    root.append(h('div', { class: 'timeline-layout' },
      h('nav', { class: 'channels', 'aria-labelledby': 'channels-title' },
        label('h2', 'channels.title', { id: 'channels-title' }), channelList, hint),
      h('section', { class: 'timeline-col', 'aria-labelledby': 'timeline-title' }, title, log),
      h('aside', { class: 'compose-col' }, compose.element)));

    function renderChannels() {
      channelList.replaceChildren();
      for (const c of ctx.channels.list) {
        const count = c.awaiting_my_ack;
        const btn = h('button', { type: 'button', class: 'channel', id: `channel-${c.id}`,
          'aria-pressed': String(c.id === channel), dataset: { channel: c.id, awaiting: count } },
        h('span', { class: 'channel-name', text: c.names[language()] || c.names.en }),
        h('span', { class: `count${count ? ' count-hot' : ''}`, 'aria-label': t('channels.awaiting', { n: count }),
          text: String(count) }));
        btn.addEventListener('click', () => select(c.id));
        channelList.append(h('li', {}, btn));
      }
      const c = ctx.channels.list.find((x) => x.id === channel);
      title.textContent = c ? (c.names[language()] || c.names.en) : '';
    }

    function select(id) {
      channel = id;
      sessionStorage.setItem('hotline.channel', id);
      renderChannels();
      renderAll();
      compose.channelChanged();
    }

    const onReply = (m) => compose.replyTo(m);
    function renderAll() {
      cards.clear();
      const items = ctx.store.inChannel(channel).map((m) => {
        const card = renderMessage(m, ctx, { onReply });
        cards.set(m.id, card);
        return card;
      });
      log.replaceChildren(...(items.length ? items : [empty]), older);
      renderOlder();
      tickCountdowns(log, ctx.now());
    }

    function renderOlder() {
      older.dataset.state = paging ? 'loading' : exhausted.has(channel) ? 'start' : 'more';
      older.textContent = t(paging ? 'timeline.loading_older' : exhausted.has(channel) ? 'timeline.start'
        : 'timeline.older');
    }

    async function loadOlder() {
      if (paging || exhausted.has(channel)) return;
      const here = channel;
      const held = ctx.store.inChannel(here);
      const before = held.length ? held[held.length - 1].seq : null;
      paging = true;
      renderOlder();
      try {
        const q = `limit=${PAGE}${before ? `&before=${before}` : ''}`;
        const page = await ctx.api.get(`/api/v1/channels/${encodeURIComponent(here)}/messages?${q}`);
        if (page.messages.length < PAGE) exhausted.add(here);
        ctx.store.load(page.messages);
        if (here === channel) {
          for (const m of page.messages) if (!cards.has(m.id)) update(m);
        }
      } catch { /* offline or gone: the sentinel asks again when it comes back into view */ }
      paging = false;
      if (here === channel) renderOlder();
      // Still in view (a short page, a tall window): fetch the next page too.
      if (here === channel && !exhausted.has(here) && visible(older)) loadOlder();
    }
    const visible = (el) => {
      const a = el.getBoundingClientRect();
      const b = log.getBoundingClientRect();
      return a.top < b.bottom && a.bottom > b.top;
    };
    const watcher = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadOlder();
    }, { root: log, rootMargin: '0px 0px 200px 0px' });
    watcher.observe(older);

    function update(m) {
      if (m.channel !== channel) return;
      const card = renderMessage(m, ctx, { onReply });
      const old = cards.get(m.id);
      cards.set(m.id, card);
      if (old) {
        const hadFocus = old.contains(document.activeElement);
        old.replaceWith(card);
        if (hadFocus) card.focus();
      } else {
        empty.remove();
        // Newest first: place by seq so a late-arriving older message still lands in order.
        const next = [...log.children].find((el) => el === older || Number(el.dataset.seq) < m.seq);
        log.insertBefore(card, next || older);
      }
      tickCountdowns(card, ctx.now());
    }

    // The shortcut acknowledges the focused message, or else the oldest one waiting for this party.
    const offKey = ctx.onKey('a', () => {
      if (!ctx.canSpeak) return;
      const focused = document.activeElement?.closest?.('article.msg');
      const target = (focused && ctx.store.get(focused.dataset.id)) || ctx.store.awaiting(ctx.party)[0];
      if (target && target.addressees[ctx.party] && !target.addressees[ctx.party].ack) ctx.ack(target).catch(() => {});
    });
    const offN = ctx.onKey('n', () => compose.focus());

    const offs = [
      ctx.store.onChange(update),
      ctx.channels.onChange(renderChannels),
      onLanguageChange(() => { renderChannels(); renderAll(); }),
      offKey, offN, compose.dispose,
    ];
    const ticker = setInterval(() => tickCountdowns(log, ctx.now()), 1000);
    renderChannels();
    renderAll();
    return () => { clearInterval(ticker); watcher.disconnect(); for (const off of offs) off(); };
  },
};
