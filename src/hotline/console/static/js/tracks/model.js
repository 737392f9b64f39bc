// Pure helpers for the live picture: how stale a track is, how it fades, how a trail is cut. No DOM.

/** 1 while fresh, fading to 0.25 over the minutes after its stale time. */
export function freshness(point, now = Date.now()) {
  const stale = Date.parse(point.stale);
  if (now <= stale) return 1;
  const minutes = (now - stale) / 60000;
  return Math.max(0.25, 1 - minutes / 4);
}

/** Points of one track, oldest first, grouped by uid. */
export function trails(points) {
  const out = new Map();
  for (const p of points) {
    if (!out.has(p.uid)) out.set(p.uid, []);
    out.get(p.uid).push(p);
  }
  return out;
}

/** Whom an item is released to, from its channel and the world's channel list. */
export function releasedTo(channelId, channels) {
  const c = (channels || []).find((x) => x.id === channelId);
  return c ? c.members.join(' · ') : channelId;
}

/** air or ground, from the CoT type (a-f-A-... is air). */
export function domain(type) {
  return String(type).split('-')[2] === 'A' ? 'air' : 'ground';
}
