// The console's copy of message states: loaded from the REST snapshot, then kept current by applying
// stream events the way the server's evolve() does. Applying an event twice changes nothing, which
// is what lets the stream start from a seq at or before the snapshot without a gap.
import { dtg } from './time.js';

export class MessageStore {
  constructor() {
    this.byId = new Map();
    this.listeners = new Set();
  }

  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(message, event) {
    for (const fn of this.listeners) fn(message, event);
  }

  load(states) {
    for (const state of states) {
      const have = this.byId.get(state.id);
      if (!have || newer(state, have)) this.byId.set(state.id, state);
    }
  }

  /** The highest seq the snapshot certainly reflects; the stream resumes after it. The server gives
   * every seq here as this party's own cursor, which is what the stream's `after` takes. */
  knownSeq() {
    let seq = 0;
    for (const m of this.byId.values()) {
      seq = Math.max(seq, m.seq);
      for (const entry of Object.values(m.addressees)) if (entry.ack) seq = Math.max(seq, entry.ack.seq);
      if (m.recalled) seq = Math.max(seq, m.recalled.seq);
    }
    return seq;
  }

  /** A state the server just answered with (after our own post or ack). */
  put(state) {
    const have = this.byId.get(state.id);
    if (have && !newer(state, have)) return;
    this.byId.set(state.id, state);
    this.changed(state, null);
  }

  clear() { this.byId.clear(); }

  get(id) { return this.byId.get(id); }

  inChannel(channel) {
    return [...this.byId.values()].filter((m) => m.channel === channel).sort((a, b) => b.seq - a.seq);
  }

  all() { return [...this.byId.values()].sort((a, b) => b.seq - a.seq); }

  apply(ev) {
    const p = ev.payload;
    if (ev.type === 'message.posted') {
      if (this.byId.has(p.message_id)) return;
      const addressees = {};
      for (const party of p.addressees) addressees[party] = { deadline: p.ack_deadline, ack: null, overdue: 0 };
      const state = {
        id: p.message_id, channel: ev.channel, seq: ev.seq, party: ev.party, actor: ev.actor,
        posted_at: ev.ts, posted_dtg: dtg(ev.ts), precedence: p.precedence, subject: p.subject, body: p.body,
        language: p.language, reply_to: p.reply_to, template: p.template || null, ack_window_s: p.ack_window_s,
        addressees,
      };
      this.byId.set(state.id, state);
      this.changed(state, ev);
      return;
    }
    const state = this.byId.get(p.message_id);
    if (!state) return; // older than what this console loaded; the channel counts still refresh
    if (ev.type === 'message.recalled') {
      if (state.recalled) return;
      state.recalled = { party: ev.party, by: ev.actor, at: ev.ts, seq: ev.seq, reason: p.reason };
    } else if (ev.type === 'message.acknowledged') {
      const entry = state.addressees[ev.party];
      if (!entry || entry.ack) return;
      entry.ack = { by: ev.actor, at: ev.ts, seq: ev.seq, late: p.late, note: p.note || '',
        translation_pending: Boolean(p.translation_pending) };
    } else if (ev.type === 'message.ack_overdue' || ev.type.endsWith('.escalation_step')) {
      const entry = state.addressees[p.party];
      if (!entry) return;
      // 1: the deadline passed; 2: the mediator has been told (a world-file policy's step may do that).
      entry.overdue = Math.max(entry.overdue, (p.targets || []).includes('mediator') ? 2 : 1);
      if (p.step) entry.step = Math.max(entry.step || 0, p.step);
    } else if (ev.type === 'message.ack_escalated') {
      const entry = state.addressees[p.party];
      if (!entry) return;
      entry.overdue = 2;
      if (p.step) entry.step = Math.max(entry.step || 0, p.step);
    } else {
      return;
    }
    this.changed(state, ev);
  }

  /** Messages that wait for party's acknowledgement, oldest first. */
  awaiting(party) {
    return this.all().reverse().filter((m) => awaits(m, party));
  }
}

/** Whether message m waits for party's acknowledgement: addressed, not acknowledged, not recalled. */
export function awaits(m, party) {
  const entry = party ? m.addressees[party] : null;
  return Boolean(entry && !entry.ack && !m.recalled);
}

function weight(m) {
  // A recall is the last thing that happens to a message: a state that holds it is the newer one.
  let w = m.recalled ? 1000 : 0;
  for (const e of Object.values(m.addressees)) w += (e.ack ? 10 : 0) + e.overdue;
  return w;
}

function newer(a, b) { return weight(a) > weight(b); }
