// The notice form beside the map: what, when (UTC), with what forces; check (dry run) or file.
// Field errors from the server (problem+json) are shown next to the field they name.
import { h, randomId } from '../dom.js';
import { label, t } from '../i18n.js';
import { explain } from './panels.js';

const TYPES = ['ground_movement', 'air', 'exercise', 'engineering', 'humanitarian', 'agricultural_burning',
  'demining', 'other'];
const FORCES = ['troops', 'tanks', 'sam', 'aircraft'];

function utcInput(d) { return d.toISOString().slice(0, 16); }

export function noticeForm(ctx, { drawer, onFiled, zoneName = (id) => id }) {
  const now = new Date(ctx.now ? ctx.now() : Date.now()); // the server-corrected clock
  const start = new Date(now.getTime() + 49 * 3600e3);
  const end = new Date(start.getTime() + 12 * 3600e3);
  const field = (key, input) => h('div', { class: 'map-field' }, label('label', key, { for: input.id }), input,
    h('span', { class: 'field-error', id: `${input.id}-error` }));
  const type = h('select', { id: 'notice-type' }, TYPES.map((x) => h('option', { value: x,
    dataset: { i18n: `notice.type.${x}` }, text: t(`notice.type.${x}`) })));
  const size = h('input', { id: 'notice-size', type: 'number', min: '1', value: '500', dir: 'ltr' });
  const startIn = h('input', { id: 'notice-start', type: 'datetime-local', value: utcInput(start), dir: 'ltr' });
  const endIn = h('input', { id: 'notice-end', type: 'datetime-local', value: utcInput(end), dir: 'ltr' });
  const altMin = h('input', { id: 'notice-alt-min', type: 'number', value: '0', dir: 'ltr' });
  const altMax = h('input', { id: 'notice-alt-max', type: 'number', value: '3000', dir: 'ltr' });
  const forces = Object.fromEntries(FORCES.map((k) => [k, h('input', { id: `notice-${k}`, type: 'number',
    min: '0', value: '0', dir: 'ltr' })]));
  const text = h('textarea', { id: 'notice-text', rows: '2', dir: 'auto' });
  const status = h('p', { class: 'map-form-status', id: 'notice-status', role: 'status' });
  const results = h('ul', { class: 'map-check', id: 'notice-check' });
  const shape = h('p', { class: 'muted', id: 'notice-shape' });
  const altitude = h('div', { class: 'map-alt' }, field('notice.altitude_min', altMin), field('notice.altitude_max', altMax));
  const sizeField = field('notice.size', size);
  const checkBtn = h('button', { type: 'button', id: 'notice-check-btn' }, label('span', 'map.check'));
  const fileBtn = h('button', { type: 'submit', id: 'notice-file', class: 'primary' }, label('span', 'map.file'));

  const element = h('form', { class: 'map-form', id: 'notice-form', hidden: true, novalidate: true },
    label('h2', 'map.new_notice'),
    label('p', 'map.not_permission', { class: 'not-permission' }),
    shape, field('notice.type', type), sizeField, altitude,
    field('notice.start_utc', startIn), field('notice.end_utc', endIn),
    h('fieldset', { class: 'map-forces' }, label('legend', 'notice.forces'),
      FORCES.map((k) => field(`notice.force.${k}`, forces[k]))),
    field('notice.text', text), h('div', { class: 'map-actions' }, checkBtn, fileBtn), status, results);

  function body() {
    const geometry = drawer.geometry();
    const b = { id: randomId('ntc-'), type: type.value, geometry,
      window: { start: `${startIn.value}:00Z`, end: `${endIn.value}:00Z` },
      forces: Object.fromEntries(FORCES.map((k) => [k, Number(forces[k].value || 0)])), text: text.value };
    if (geometry?.type === 'Point') b.radius_m = Number(size.value);
    if (geometry?.type === 'LineString') b.width_m = Number(size.value);
    if (type.value === 'air') b.altitude = { min_m: Number(altMin.value), max_m: Number(altMax.value) };
    return b;
  }

  function showErrors(err) {
    for (const el of element.querySelectorAll('.field-error')) el.textContent = '';
    status.textContent = err.message;
    for (const [name, detail] of Object.entries(err.fields || {})) {
      const id = { 'window.start': 'notice-start', 'window.end': 'notice-end', radius_m: 'notice-size',
        width_m: 'notice-size', 'altitude.min_m': 'notice-alt-min', 'altitude.max_m': 'notice-alt-max' }[name]
        || (name.startsWith('forces.') ? `notice-${name.split('.')[1]}` : null);
      const target = id && element.querySelector(`#${id}-error`);
      if (target) target.textContent = detail;
    }
  }

  function showFindings(list) {
    results.replaceChildren(...list.map((f) => h('li', { class: 'map-check-item', dataset: { rule: f.rule } },
      explain(f, ctx, zoneName))));
    if (!list.length) results.append(label('li', 'map.check_clear', { class: 'muted' }));
  }

  checkBtn.addEventListener('click', async () => {
    try {
      const r = await ctx.api.post('/api/v1/notices/check', body());
      status.textContent = r.lead_time.late ? t('map.late') : '';
      showFindings(r.findings);
    } catch (err) { showErrors(err); }
  });
  element.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fileBtn.disabled = true;
    try {
      const state = await ctx.api.post('/api/v1/notices', body());
      status.textContent = t('map.filed');
      results.replaceChildren();
      onFiled?.(state);
    } catch (err) { showErrors(err); } finally { fileBtn.disabled = false; }
  });
  type.addEventListener('change', () => { altitude.hidden = type.value !== 'air'; });
  altitude.hidden = true;

  return {
    element,
    update(d) {
      element.hidden = !d.mode;
      sizeField.hidden = d.mode === 'Polygon';
      shape.textContent = d.mode ? t(d.complete ? 'map.shape_ready' : 'map.shape_click', { n: d.points.length }) : '';
      fileBtn.disabled = !d.complete;
      checkBtn.disabled = !d.complete;
    },
  };
}
