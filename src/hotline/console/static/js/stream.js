// The live stream: one WebSocket that resumes after the last seq it holds, so a dropped connection
// leaves no gap and no duplicate. Every seq is this party's own cursor (1, 2, 3, ... over the events it
// may read), the same numbering the messages API gives a message's and an acknowledgement's seq. Reconnects back off exponentially with jitter: a fleet of consoles
// that lost the server together must not hammer it together when it comes back.

const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_TOO_MANY = 4029;

/** Subscribers by event type: 'message.posted', a prefix 'message.*', or '*' for everything. */
export class EventBus {
  constructor() { this.handlers = new Map(); }

  subscribe(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  emit(event) {
    const prefix = event.type.split('.')[0] + '.*';
    for (const key of [event.type, prefix, '*']) {
      for (const fn of this.handlers.get(key) || []) {
        try { fn(event); } catch (err) { console.error('event handler failed', event.type, err); }
      }
    }
  }
}

export class LiveStream {
  /**
   * onState(state, info): 'connecting' | 'live' | 'reconnecting' (info.retryInMs) | 'stopped'.
   * onUnauthorized(): the server closed with 4001; the session is gone.
   */
  constructor({ bus, onState, onUnauthorized, onReady, baseMs = 500, capMs = 30000, staleMs = 45000 }) {
    Object.assign(this, { bus, onState, onUnauthorized, onReady, baseMs, capMs, staleMs });
    this.lastSeq = 0;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = true;
    this.skewMs = 0; // server clock minus ours, from heartbeats; countdowns use server time
    this.state = 'stopped';
    this.onOnline = () => { if (this.state === 'reconnecting') this.reconnectNow(); };
  }

  start(afterSeq) {
    this.lastSeq = Math.max(this.lastSeq, afterSeq || 0);
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    // A connection can die without a close frame (a cable pulled); heartbeats prove it is alive.
    this.watchdog = setInterval(() => {
      if (this.ws && this.ws.readyState === WebSocket.OPEN && Date.now() - this.lastFrameAt > this.staleMs) {
        this.ws.close();
      }
    }, 5000);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    window.removeEventListener('online', this.onOnline);
    if (this.ws) this.ws.close();
    this.ws = null;
    this.setState('stopped');
  }

  now() { return Date.now() + this.skewMs; }

  setState(state, info = {}) {
    this.state = state;
    if (this.onState) this.onState(state, info);
  }

  connect() {
    clearTimeout(this.timer);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/stream?after=${this.lastSeq}`);
    this.ws = ws;
    this.lastFrameAt = Date.now();
    if (this.attempt === 0) this.setState('connecting');
    ws.onmessage = (msg) => {
      if (ws !== this.ws) return;
      this.lastFrameAt = Date.now();
      let frame;
      try { frame = JSON.parse(msg.data); } catch { return; }
      if (frame.type === 'event' || frame.type === 'events') {
        for (const ev of frame.type === 'event' ? [frame.event] : frame.events) {
          if (ev.seq <= this.lastSeq) continue; // already held: never apply an event twice
          this.lastSeq = ev.seq;
          this.bus.emit(ev);
        }
      } else if (frame.type === 'ready') {
        this.attempt = 0;
        this.setState('live');
        if (this.onReady) this.onReady();
      } else if (frame.type === 'heartbeat' && frame.ts) {
        this.skewMs = new Date(frame.ts).getTime() - Date.now();
      }
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws || this.stopped) return;
      this.ws = null;
      if (ev.code === CLOSE_UNAUTHORIZED) {
        this.stop();
        if (this.onUnauthorized) this.onUnauthorized();
        return;
      }
      this.scheduleReconnect(ev.code === CLOSE_TOO_MANY ? 5000 : 0);
    };
  }

  scheduleReconnect(floorMs) {
    // "Equal jitter": half the exponential step is fixed, half random, so retries spread out.
    const step = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    const delay = Math.max(floorMs, step / 2 + Math.random() * (step / 2));
    this.attempt += 1;
    this.setState('reconnecting', { retryInMs: delay, attempt: this.attempt });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.connect();
  }
}
