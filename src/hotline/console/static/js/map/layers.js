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
      // Not sticky: the tooltip opens where the feature is entered and stays put, instead of trailing
      // the pointer across a zone that may cover most of the map.
      layer.bindTooltip(label, { sticky: false, className: proposed ? 'map-tip proposed' : 'map-tip' });
      layer.on('click', () => onSelect?.(f));
    },
  });
}

// Which place labels win when two would overlap: cities before towns before the rest.
const PLACE_RANK = { city: 0, town: 1, un_position: 2, crossing: 2, mountain: 3, lake: 3, river: 4, region: 5, zone: 5 };

export function placesLayer(places, { lang }) {
  const group = L.layerGroup();
  const ranked = [...places].sort((a, b) => (PLACE_RANK[a.kind] ?? 9) - (PLACE_RANK[b.kind] ?? 9));
  for (const p of ranked) {
    L.circleMarker([p.lat, p.lon], { radius: 3, color: '#222', weight: 1, fillColor: '#fff', fillOpacity: 1 })
      .bindTooltip(nameOf(p.names, lang), { permanent: true, direction: 'right', className: 'map-place' })
      .addTo(group);
  }
  return group;
}

/**
 * Hide the place labels that would overlap one already shown, in rank order (the layer adds them
 * highest rank first), and show them again when zooming in makes room. Run after every move and zoom.
 */
export function declutterLabels(container) {
  const shown = [];
  for (const el of container.querySelectorAll('.leaflet-tooltip.map-place')) {
    if (el.style.opacity === '0') continue; // a removed label fading out (Leaflet drops it 200 ms later)
    el.classList.remove('map-place-hidden');
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue; // not laid out yet: the next pass decides
    const clash = shown.some((o) => r.left < o.right + 2 && r.right > o.left - 2 && r.top < o.bottom && r.bottom > o.top);
    if (clash) el.classList.add('map-place-hidden');
    else shown.push(r);
  }
}

/** The legend: one entry per zone kind on the map (and proposals, notices, findings), in the reader's language. */
export function legendControl(t) {
  const control = L.control({ position: 'bottomleft' });
  let box = null;
  control.onAdd = () => {
    box = L.DomUtil.create('div', 'map-legend');
    box.id = 'map-legend';
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.update = (kinds, { proposals, notices, findings }) => {
    if (!box) return;
    const row = (swatchClass, text, style) => {
      const item = L.DomUtil.create('li', 'map-legend-item', list);
      const sw = L.DomUtil.create('span', `map-swatch ${swatchClass}`, item);
      if (style) {
        sw.style.borderColor = style.color;
        sw.style.backgroundColor = style.fill === false || !style.fillColor ? 'transparent' : style.fillColor;
        if (style.dashArray) sw.style.borderStyle = 'dashed';
      }
      L.DomUtil.create('span', 'map-legend-text', item).textContent = text;
    };
    box.replaceChildren();
    L.DomUtil.create('h3', 'map-legend-title', box).textContent = t('map.legend');
    const list = L.DomUtil.create('ul', 'map-legend-list', box);
    for (const kind of kinds) row(`kind-${kind}`, t(`map.kind.${kind}`), KIND_STYLE[kind]);
    if (proposals) row('proposed', t('map.legend.proposed'), { color: '#555', dashArray: '4 3', fill: false });
    if (notices) {
      row('notice-mine', t('map.legend.notice_mine'), { color: '#0b6e4f', fillColor: '#0b6e4f' });
      row('notice-other', t('map.legend.notice_other'), { color: '#c1121f', fillColor: '#c1121f' });
    }
    if (findings) row('finding', t('map.legend.finding'), { color: '#9d0208', fillColor: '#ffba08' });
    row('place', t('map.legend.place'), { color: '#222', fillColor: '#fff' });
  };
  return control;
}

/** A notice's area: a circle of its radius, a route of its width (in pixels, roughly), or its polygon. */
export function noticeShape(notice, style) {
  const n = notice.notice || notice;
  const g = n.geometry;
  if (g.type === 'Point') return L.circle([g.coordinates[1], g.coordinates[0]], { radius: n.radius_m || 100, ...style });
  if (g.type === 'LineString') return L.polyline(g.coordinates.map(([x, y]) => [y, x]), { weight: 5, ...style });
  return L.polygon(g.coordinates[0].map(([x, y]) => [y, x]), style);
}

export function noticesLayer(notices, { myParty, t, partyName, onSelect }) {
  const group = L.layerGroup();
  for (const s of notices) {
    const mine = s.party === myParty;
    const shape = noticeShape(s, { color: mine ? '#0b6e4f' : '#c1121f', weight: 2, fillOpacity: 0.2 });
    shape.bindTooltip(`${partyName(s.party)} · ${t(`notice.type.${s.notice.type}`)} · ${t('map.not_permission')}`,
      { className: 'map-tip' });
    shape.on('click', () => onSelect?.(s));
    shape.addTo(group);
  }
  return group;
}

export function findingsLayer(findings, { t, onSelect }) {
  const group = L.layerGroup();
  for (const s of findings) {
    const w = s.finding.where;
    L.circleMarker([w.lat, w.lon], { radius: 9, color: '#9d0208', weight: 3, fillColor: '#ffba08', fillOpacity: 0.9,
      className: 'map-finding' })
      .bindTooltip(t(`rule.${s.finding.rule}`), { className: 'map-tip' })
      .on('click', () => onSelect?.(s))
      .addTo(group);
  }
  return group;
}
