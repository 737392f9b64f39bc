// Vector layers of the shared map: zones by kind, places, notices and findings. No tiles are needed:
// the zones, lines and gazetteer places drawn on a plain background are the basemap.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';

const KIND_STYLE = {
  line: { color: '#1d3557', weight: 3, fill: false },
  separation: { color: '#2a9d8f', weight: 2, fillColor: '#2a9d8f', fillOpacity: 0.25 },
  limitation: { color: '#e9c46a', weight: 1, fillColor: '#e9c46a', fillOpacity: 0.08 },
  airspace: { color: '#6d597a', weight: 1, fillOpacity: 0, dashArray: '2 6' },
  protected_site: { color: '#d62828', weight: 2, fillColor: '#d62828', fillOpacity: 0.2 },
  corridor: { color: '#457b9d', weight: 2, fillColor: '#457b9d', fillOpacity: 0.15 },
};

function nameOf(names, lang) { return (names && (names[lang] || names.en)) || ''; }

/** Zones: styled by kind; a proposal is dashed and labelled "proposed" (it binds nobody yet). */
export function zonesLayer(collection, { lang, t, onSelect }) {
  return L.geoJSON(collection, {
    style: (f) => {
      const base = KIND_STYLE[f.properties.kind] || { color: '#555' };
      return f.properties.status === 'proposed' ? { ...base, dashArray: '8 6', fillOpacity: 0.05 } : base;
    },
    pointToLayer: (f, latlng) => L.circle(latlng, {
      radius: Number(f.properties.rules?.buffer_m || 500), ...KIND_STYLE.protected_site }),
    onEachFeature: (f, layer) => {
      const proposed = f.properties.status === 'proposed';
      const name = nameOf(f.properties.names, lang);
      const tag = t('map.proposed');
      const label = proposed && !name.toLowerCase().includes(tag.toLowerCase()) ? `${name} (${tag})` : name;
      layer.bindTooltip(label, { sticky: true, className: proposed ? 'map-tip proposed' : 'map-tip' });
      layer.on('click', () => onSelect?.(f));
    },
  });
}

export function placesLayer(places, { lang }) {
  const group = L.layerGroup();
  for (const p of places) {
    L.circleMarker([p.lat, p.lon], { radius: 3, color: '#222', weight: 1, fillColor: '#fff', fillOpacity: 1 })
      .bindTooltip(nameOf(p.names, lang), { permanent: true, direction: 'right', className: 'map-place' })
      .addTo(group);
  }
  return group;
}

/** A notice's area: a circle of its radius, a route of its width (in pixels, roughly), or its polygon. */
export function noticeShape(notice, style) {
  const n = notice.notice || notice;
  const g = n.geometry;
  if (g.type === 'Point') return L.circle([g.coordinates[1], g.coordinates[0]], { radius: n.radius_m || 100, ...style });
  if (g.type === 'LineString') return L.polyline(g.coordinates.map(([x, y]) => [y, x]), { weight: 5, ...style });
  return L.polygon(g.coordinates[0].map(([x, y]) => [y, x]), style);
}

export function noticesLayer(notices, { myParty, t, onSelect }) {
  const group = L.layerGroup();
  for (const s of notices) {
    const mine = s.party === myParty;
    const shape = noticeShape(s, { color: mine ? '#0b6e4f' : '#c1121f', weight: 2, fillOpacity: 0.2 });
    shape.bindTooltip(`${s.party} · ${t(`notice.type.${s.notice.type}`)} · ${t('map.not_permission')}`,
      { sticky: true, className: 'map-tip' });
    shape.on('click', () => onSelect?.(s));
    shape.addTo(group);
  }
  return group;
}

export function findingsLayer(findings, { onSelect }) {
  const group = L.layerGroup();
  for (const s of findings) {
    const w = s.finding.where;
    L.circleMarker([w.lat, w.lon], { radius: 9, color: '#9d0208', weight: 3, fillColor: '#ffba08', fillOpacity: 0.9,
      className: 'map-finding' })
      .bindTooltip(s.finding.rule, { className: 'map-tip' })
      .on('click', () => onSelect?.(s))
      .addTo(group);
  }
  return group;
}
