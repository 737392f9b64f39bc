// The FLASH alarm. While a FLASH waits for this party's acknowledgement the console rings: a beeping
// WebAudio oscillator and a banner. Acknowledging (by anyone of this party) ends it; the mute control
// silences the sound of the FLASH messages ringing now, and a new FLASH rings again. State is exposed
// on <body>: data-ringing (a FLASH is unanswered), data-muted, data-audible (sound is playing).
import { h } from './dom.js';
import { onLanguageChange } from './i18n.js';

const BEEP_EVERY_MS = 1400;

export class Alarm {
  constructor({ banner, t, onAck }) {
    Object.assign(this, { banner, t, onAck });
    this.ringing = [];
    this.mutedIds = new Set();
    this.audio = null;
    this.timer = null;
    onLanguageChange(() => this.render());
    this.render();
  }

  /** flashes: unanswered FLASH messages for this party, oldest first. */
  update(flashes) {
    this.ringing = flashes;
    const ids = new Set(flashes.map((m) => m.id));
    for (const id of this.mutedIds) if (!ids.has(id)) this.mutedIds.delete(id);
    this.render();
  }

  get muted() { return this.ringing.length > 0 && this.ringing.every((m) => this.mutedIds.has(m.id)); }

  toggleMute() {
    if (this.muted) this.mutedIds.clear();
    else for (const m of this.ringing) this.mutedIds.add(m.id);
    this.render();
  }

  render() {
    const ringing = this.ringing.length > 0;
    const audible = ringing && !this.muted;
    document.body.dataset.ringing = String(ringing);
    document.body.dataset.muted = String(this.muted);
    if (audible) this.startSound(); else this.stopSound();
    document.body.dataset.audible = String(audible && this.audio?.state === 'running');
    this.banner.replaceChildren();
    this.banner.hidden = !ringing;
    if (!ringing) return;
    const first = this.ringing[0];
    this.banner.append(
      h('strong', { class: 'alert-title', text: this.t('alarm.flash', { count: this.ringing.length }) }),
      h('bdi', { class: 'alert-subject', dir: 'auto', lang: first.language, text: first.subject }),
      h('button', { type: 'button', class: 'btn btn-ack', onclick: () => this.onAck(first),
        text: this.t('message.ack') }),
      h('button', { type: 'button', class: 'btn', 'aria-pressed': String(this.muted),
        onclick: () => this.toggleMute(), text: this.t(this.muted ? 'alarm.unmute' : 'alarm.mute') }),
    );
  }

  startSound() {
    if (this.timer) return;
    try {
      this.audio = this.audio || new AudioContext();
      if (this.audio.state === 'suspended') {
        this.audio.resume().then(() => this.render()).catch(() => {});
      }
    } catch {
      return; // no audio device: the banner still shows
    }
    const beep = () => {
      const ctx = this.audio;
      for (const offset of [0, 0.25]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = 880;
        gain.gain.value = 0.08;
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + offset);
        osc.stop(ctx.currentTime + offset + 0.15);
      }
    };
    beep();
    this.timer = setInterval(beep, BEEP_EVERY_MS);
  }

  stopSound() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Browsers start audio only after a gesture; call from any click so the first FLASH can sound. */
  unlock() {
    try {
      this.audio = this.audio || new AudioContext();
      if (this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    } catch { /* no audio */ }
  }
}
