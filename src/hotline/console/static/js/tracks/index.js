// The live picture on the map: tracks with short trails that fade once stale, sightings, a party filter,
// and whom each item is released to. Positions are not ledger events, so they are read from the API
// (which shows a party only what is released to it) every few seconds; sightings follow the stream.
// The one entry point is mountTracks(map, ctx), called by the map view; it returns its dispose function.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { domain, freshness, releasedTo, trails } from './model.js';

const POLL_MS = 2000;
const TRAIL_MIN = 5;
const COLOURS = ['#1f6feb', '#b35900', '#1a7f37', '#8250df', '#cf222e'];

function tip(lines) {
  return h('div', { class: 'track-tip' }, ...lines.map((line) => h('div', { text: line })));
}

export function mountTracks(map, ctx) {
  const group = L.layerGroup().addTo(map);
  const sightingsGroup = L.layerGroup().addTo(map);
  const hidden = new Set();
  const colour = new Map();
  let channels = [];
  let disposed = false;
  let timer = null;

  const filter = L.control({ position: 'bottomleft' });
  const box = h('div', { class: 'tracks-filter leaflet-bar', id: 'tracks-filter' });
  filter.onAdd = () => box;
  filter.addTo(map);

  function colourOf(party) {
    if (!colour.has(party)) colour.set(party, COLOURS[colour.size % COLOURS.length]);
    return colour.get(party);
  }

  function renderFilter(parties) {
    box.replaceChildren(h('strong', { text: t('tracks.filter') }), ...parties.map((p) => h('label', {},
      h('input', { type: 'checkbox', id: `tracks-party-${p}`, checked: !hidden.has(p),
        onchange: (ev) => { if (ev.target.checked) hidden.delete(p); else hidden.add(p); poll(); } }),
      h('span', { text: ` ${p}`, style: `color:${colourOf(p)}` }))));
  }

  function drawTracks(current, history) {
    group.clearLayers();
    const now = Date.now();
    const byUid = trails(history);
    for (const p of current) {
      if (hidden.has(p.party)) continue;
      const fade = freshness(p, now);
      const trail = (byUid.get(p.uid) || []).map((q) => [q.lat, q.lon]);
      if (trail.length > 1) {
        L.polyline(trail, { color: colourOf(p.party), weight: 2, opacity: 0.6 * fade, dashArray: '4 4' })
          .addTo(group);
      }
      L.circleMarker([p.lat, p.lon], { radius: domain(p.type) === 'air' ? 7 : 5, color: colourOf(p.party),
        fillOpacity: 0.8 * fade, opacity: fade, className: `track track-${p.party}` })
        .bindTooltip(tip([`${p.callsign} (${p.uid})`, `${p.party} · ${p.type}`,
          `${t('tracks.released')}: ${releasedTo(p.channel, channels)}`,
          p.is_stale ? t('tracks.stale') : `${Math.round(p.hae)} m`]))
        .addTo(group);
    }
  }

  function drawSightings(list) {
    sightingsGroup.clearLayers();
    for (const s of list) {
      if (hidden.has(s.party)) continue;
      L.circleMarker([s.where.lat, s.where.lon], { radius: 9, color: '#000', weight: 2, fillColor: '#ffd33d',
        fillOpacity: 0.9, className: 'sighting' })
        .bindTooltip(tip([`${t('tracks.sighting')} ${s.grading}: ${s.count} × ${s.what}`,
          `${s.party} · ${s.seen_at}`, `${t('tracks.released')}: ${releasedTo(s.channel, channels)}`]))
        .addTo(sightingsGroup);
    }
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const since = new Date(Date.now() - TRAIL_MIN * 60000).toISOString();
      const [current, history, sightings] = await Promise.all([ctx.api.get('/api/v1/tracks'),
        ctx.api.get(`/api/v1/tracks/history?start=${encodeURIComponent(since)}`), ctx.api.get('/api/v1/sightings')]);
      if (disposed) return;
      const parties = [...new Set([...current.tracks.map((p) => p.party),
        ...sightings.sightings.map((s) => s.party)])].sort();
      renderFilter(parties);
      drawTracks(current.tracks, history.points);
      drawSightings(sightings.sightings);
    } catch { /* the next round asks again */ }
    if (!disposed) timer = setTimeout(poll, POLL_MS);
  }

  ctx.api.get('/api/v1/channels').then((r) => { channels = r.channels || r; }).catch(() => {});
  const off = ctx.bus.subscribe('sighting.*', () => poll());
  poll();
  return () => {
    disposed = true;
    clearTimeout(timer);
    off();
    filter.remove();
    group.remove();
    sightingsGroup.remove();
  };
}
