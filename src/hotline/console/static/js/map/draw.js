// Click-to-place drawing of a notice's geometry: a point, a route (polyline) or an area (polygon).
// Written here rather than pulled from a plugin: the console loads nothing from outside this server.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';

export class Drawer {
  constructor(map, { onChange }) {
    this.map = map;
    this.onChange = onChange;
    this.mode = null;
    this.points = [];
    this.layer = L.layerGroup().addTo(map);
    this.click = (ev) => this.add(ev.latlng);
  }

  start(mode) {
    this.clear();
    this.mode = mode;
    this.map.getContainer().classList.add('drawing');
    this.map.on('click', this.click);
    this.onChange?.(this);
  }

  add(latlng) {
    if (!this.mode) return;
    if (this.mode === 'Point') this.points = [latlng];
    else this.points.push(latlng);
    this.render();
    this.onChange?.(this);
  }

  undo() {
    this.points.pop();
    this.render();
    this.onChange?.(this);
  }

  get complete() {
    return (this.mode === 'Point' && this.points.length === 1)
      || (this.mode === 'LineString' && this.points.length >= 2)
      || (this.mode === 'Polygon' && this.points.length >= 3);
  }

  /** GeoJSON geometry (lon, lat), rings closed; null until enough points are placed. */
  geometry() {
    if (!this.complete) return null;
    const xy = this.points.map((p) => [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]);
    if (this.mode === 'Point') return { type: 'Point', coordinates: xy[0] };
    if (this.mode === 'LineString') return { type: 'LineString', coordinates: xy };
    return { type: 'Polygon', coordinates: [[...xy, xy[0]]] };
  }

  render() {
    this.layer.clearLayers();
    const style = { color: '#0077b6', weight: 3, dashArray: '4 4' };
    for (const p of this.points) L.circleMarker(p, { radius: 4, ...style }).addTo(this.layer);
    if (this.mode === 'LineString' && this.points.length > 1) L.polyline(this.points, style).addTo(this.layer);
    if (this.mode === 'Polygon' && this.points.length > 1) L.polygon(this.points, style).addTo(this.layer);
  }

  stop() {
    this.map.off('click', this.click);
    this.map.getContainer().classList.remove('drawing');
  }

  clear() {
    this.stop();
    this.mode = null;
    this.points = [];
    this.layer.clearLayers();
    this.onChange?.(this);
  }
}
