// The shared map: agreed zones and proposals, places, notices and findings, live over the stream.
// Draw a notice's geometry by clicking, fill in what and when, check it (dry run) and file it; click a
// finding to see the rule and both notices and acknowledge it. The pointer readout asks the server,
// the single source of truth for grids, for every grid of the place under the pointer.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { h } from '../../dom.js';
import { has, label, language, onLanguageChange, t } from '../../i18n.js';
import { Drawer } from '../../map/draw.js';
import { declutterLabels, findingsLayer, legendControl, noticesLayer, placesLayer, zonesLayer } from '../../map/layers.js';
import { noticeForm } from '../../map/form.js';
import { findingPanel, noticePanel } from '../../map/panels.js';
import { mountTracks } from '../../tracks/index.js';

const GRIDS = ['dd', 'dms', 'mgrs', 'utm', 'itm'];

function ensureCss() {
  for (const href of ['/vendor/leaflet/leaflet.css', '/static/css/map.css']) {
    if (!document.querySelector(`link[href="${href}"]`)) {
      document.head.append(h('link', { rel: 'stylesheet', href }));
    }
  }
}

export default {
  id: 'map',
  titleKey: 'view.map',
  mount(root, ctx) {
    ensureCss();
    const mapEl = h('div', { class: 'map-canvas', id: 'map-canvas', role: 'application',
      'aria-label': t('view.map') });
    const readout = h('dl', { class: 'map-readout', id: 'map-readout', 'aria-live': 'off' });
    const detail = h('section', { class: 'map-detail', id: 'map-detail', 'aria-live': 'polite' });
    const findingList = h('ul', { class: 'map-findings', id: 'map-findings', role: 'list' });
    const gotoInput = h('input', { id: 'map-goto', type: 'text', class: 'map-goto', dir: 'ltr',
      placeholder: '36SYB 63484 68761' });
    const gotoForm = h('form', { class: 'map-goto-form', onsubmit: (ev) => { ev.preventDefault(); goTo(); } },
      label('label', 'map.goto', { for: 'map-goto' }), gotoInput,
      h('button', { type: 'submit', id: 'map-goto-submit', 'aria-label': t('map.goto_go'),
        'data-i18n-attr': 'aria-label:map.goto_go', text: '⏎' }));
    const gotoError = h('p', { class: 'field-error', id: 'map-goto-error', role: 'alert' });
    const tools = h('div', { class: 'map-tools', role: 'toolbar' });
    const formHost = h('div', { class: 'map-form-host' });
    root.append(h('div', { class: 'map-layout' },
      h('div', { class: 'map-main' }, mapEl, readout),
      h('aside', { class: 'map-side' },
        gotoForm, gotoError, tools, formHost,
        label('h2', 'map.findings'), findingList, detail)));

    const map = L.map(mapEl, { zoomControl: true, attributionControl: false, preferCanvas: false })
      .setView([33.1, 35.85], 10);
    const overlays = { zones: L.layerGroup(), places: L.layerGroup(), notices: L.layerGroup(),
      findings: L.layerGroup() };
    for (const g of Object.values(overlays)) g.addTo(map);
    const control = L.control.layers({}, {}, { collapsed: false }).addTo(map);
    const legend = legendControl(t).addTo(map);
    const declutter = () => declutterLabels(mapEl);
    map.on('zoomend moveend', declutter);
    // The view as data on the canvas (zoom, centre), for tests and for anyone scripting the console.
    const noteView = () => {
      const c = map.getCenter();
      Object.assign(mapEl.dataset, { zoom: String(map.getZoom()), center: `${c.lat.toFixed(5)},${c.lng.toFixed(5)}` });
    };
    map.on('zoomend moveend', noteView);
    noteView();
    const data = { zones: null, places: [], notices: [], findings: [] };
    let selected = null;
    let disposed = false;

    ctx.api.get('/api/v1/map/config').then((cfg) => {
      if (cfg.tile_url && !disposed) L.tileLayer(cfg.tile_url, { maxZoom: 18 }).addTo(map).bringToBack();
    }).catch(() => {});

    // --- drawing and the notice form --------------------------------------------------------------
    const drawer = new Drawer(map, { onChange: () => form.update(drawer) });
    const form = noticeForm(ctx, { drawer, zoneName, onFiled: (state) => { drawer.clear(); refresh(); showNotice(state); } });
    formHost.append(form.element);
    if (ctx.canSpeak) {
      for (const [mode, key] of [['Point', 'map.draw.point'], ['LineString', 'map.draw.route'],
        ['Polygon', 'map.draw.area']]) {
        tools.append(h('button', { type: 'button', id: `map-draw-${mode.toLowerCase()}`,
          onclick: () => drawer.start(mode) }, label('span', key)));
      }
      tools.append(h('button', { type: 'button', id: 'map-draw-undo', onclick: () => drawer.undo() },
        label('span', 'map.draw.undo')));
      tools.append(h('button', { type: 'button', id: 'map-draw-clear', onclick: () => drawer.clear() },
        label('span', 'map.draw.clear')));
    }

    // --- pointer readout: the server converts, at most a few times a second --------------------------
    let pending = null;
    let lastGrids = null;
    let inflight = false;
    let last = 0;
    async function convert() {
      if (inflight || !pending) return;
      const p = pending;
      pending = null;
      inflight = true;
      last = Date.now();
      try {
        lastGrids = await ctx.api.get(`/api/v1/geo/convert?q=${encodeURIComponent(`${p.lat.toFixed(6)}, ${p.lng.toFixed(6)}`)}`);
        renderReadout();
      } catch { /* the next move asks again */ }
      inflight = false;
      if (pending) setTimeout(convert, 250);
    }
    function renderReadout() {
      const r = lastGrids;
      if (!r) return;
      // Each grid named once: the server's text may already lead with the grid's name ("ITM 287264 …").
      readout.replaceChildren(...GRIDS.map((g) => {
        const name = t(`grid.${g}`);
        const value = String(r.grids[g] || '—').replace(new RegExp(`^${g}\\s+`, 'i'), '');
        return h('div', { class: 'readout-pair' }, h('dt', { text: name }),
          h('dd', { dir: 'ltr', id: `readout-${g}`, dataset: { value: g }, text: value }));
      }));
    }
    map.on('mousemove', (ev) => {
      pending = ev.latlng;
      if (Date.now() - last > 250) convert();
      else setTimeout(convert, 250);
    });

    async function goTo() {
      gotoError.textContent = '';
      try {
        const r = await ctx.api.get(`/api/v1/geo/convert?q=${encodeURIComponent(gotoInput.value)}`);
        map.setView([r.lat, r.lon], Math.max(map.getZoom(), 13));
      } catch (err) {
        gotoError.textContent = err.message;
      }
    }

    // --- data ----------------------------------------------------------------------------------------
    function render() {
      const lang = language();
      for (const g of Object.values(overlays)) g.clearLayers();
      if (data.zones) zonesLayer(data.zones, { lang, t, onSelect: showZone }).addTo(overlays.zones);
      placesLayer(data.places, { lang }).addTo(overlays.places);
      noticesLayer(data.notices, { myParty: ctx.party, t, partyName: ctx.partyName, onSelect: showNotice })
        .addTo(overlays.notices);
      findingsLayer(data.findings, { t, onSelect: showFinding }).addTo(overlays.findings);
      const features = data.zones?.features || [];
      legend.update([...new Set(features.map((f) => f.properties.kind))],
        { proposals: features.some((f) => f.properties.status === 'proposed'), notices: data.notices.length > 0,
          findings: data.findings.length > 0 });
      requestAnimationFrame(declutter);
      setTimeout(declutter, 250); // again once the replaced labels have faded out
      for (const [key, g] of Object.entries(overlays)) {
        control.removeLayer(g);
        control.addOverlay(g, t(`map.layer.${key}`));
      }
      findingList.replaceChildren(...data.findings.map((f) => h('li', {},
        h('button', { type: 'button', class: 'finding-item', dataset: { finding: f.finding_id,
          awaiting: String(Boolean(ctx.party && f.addressees[ctx.party] && !f.addressees[ctx.party].ack)) },
        onclick: () => showFinding(f) },
        h('span', { class: 'finding-rule', text: t(`rule.${f.finding.rule}`) }),
        ' ', h('bdi', { class: 'muted', dataset: { value: 'notices' }, text: f.finding.notices.join(' + ') })))));
      if (!data.findings.length) findingList.append(label('li', 'map.no_findings', { class: 'muted' }));
      if (selected?.kind === 'finding') {
        const f = data.findings.find((x) => x.finding_id === selected.id);
        if (f) showFinding(f, { pan: false });
      }
    }

    async function refresh() {
      const [zones, places, notices, findings] = await Promise.all([
        ctx.api.get('/api/v1/zones'), data.places.length ? { places: data.places } : ctx.api.get('/api/v1/gazetteer'),
        ctx.api.get('/api/v1/notices'), ctx.api.get('/api/v1/findings')]);
      if (disposed) return;
      Object.assign(data, { zones, places: places.places, notices: notices.notices, findings: findings.findings });
      render();
    }
    let timer = null;
    const refreshSoon = () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => {}), 200); };

    function showZone(f) {
      selected = { kind: 'zone', id: f.id };
      const p = f.properties;
      // The zone's rules as label and value, each label from the catalog (a rule the catalog does not
      // know is shown by its name, marked as data).
      const rules = Object.entries(p.rules || {}).flatMap(([name, value]) => [
        has(`zone.rule.${name}`) ? h('dt', { text: t(`zone.rule.${name}`) }) : h('dt', {}, h('code', { text: name })),
        h('dd', {}, h('bdi', { text: Array.isArray(value) ? value.join(' – ') : typeof value === 'boolean'
          ? t(value ? 'zone.yes' : 'zone.no') : String(value) }))]);
      detail.replaceChildren(...h('div', {}, h('h3', { text: p.names[language()] || p.names.en }),
        h('p', { text: `${t(`map.kind.${p.kind}`)} · ${p.status === 'proposed' ? t('map.proposed') : t('map.active')}` }),
        p.approximate ? label('p', 'map.approximate', { class: 'muted' }) : null,
        rules.length ? h('dl', { class: 'map-rules' }, rules) : null).childNodes);
    }

    function showNotice(s) {
      selected = { kind: 'notice', id: s.notice_id };
      detail.replaceChildren(noticePanel(s, ctx));
    }

    function showFinding(f, { pan = true } = {}) {
      selected = { kind: 'finding', id: f.finding_id };
      if (pan) map.panTo([f.finding.where.lat, f.finding.where.lon]);
      detail.replaceChildren(findingPanel(f, ctx, { zoneName, onAck: async () => {
        const state = await ctx.api.post(`/api/v1/findings/${encodeURIComponent(f.finding_id)}/ack`, {});
        const i = data.findings.findIndex((x) => x.finding_id === state.finding_id);
        if (i >= 0) data.findings[i] = state;
        render();
        showFinding(state, { pan: false });
      } }));
    }

    function zoneName(id) {
      const f = data.zones?.features?.find((x) => x.id === id || x.properties.id === id);
      return f ? (f.properties.names[language()] || f.properties.names.en) : id;
    }

    // Keyboard, anywhere in the view (Leaflet's own keys work only while the map has focus):
    // + and - zoom, the arrow keys pan, Escape cancels a drawing in progress.
    const PAN = 120;
    const keys = [['+', () => map.zoomIn()], ['=', () => map.zoomIn()], ['-', () => map.zoomOut()],
      ['arrowleft', () => map.panBy([-PAN, 0])], ['arrowright', () => map.panBy([PAN, 0])],
      ['arrowup', () => map.panBy([0, -PAN])], ['arrowdown', () => map.panBy([0, PAN])],
      ['escape', () => drawer.clear()]].map(([key, fn]) => ctx.onKey(key, (ev) => {
      if (key === 'escape' || !mapEl.contains(ev?.target)) fn(); // inside the map, Leaflet's keys act
    }));

    const offs = ['zone.*', 'notice.*', 'finding.*'].map((type) => ctx.bus.subscribe(type, refreshSoon));
    offs.push(...keys);
    const offLang = onLanguageChange(() => { render(); renderReadout(); });
    const offTracks = mountTracks(map, ctx); // live tracks and sightings (js/tracks/)
    refresh().catch((err) => { detail.textContent = err.message; });
    // The stylesheet arrives after the map is made: redraw whenever the canvas changes size.
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(mapEl);

    return () => {
      disposed = true;
      resize.disconnect();
      clearTimeout(timer);
      for (const off of offs) off();
      offLang?.();
      offTracks();
      drawer.clear();
      map.remove();
    };
  },
};
