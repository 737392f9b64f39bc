// The summary report for a period: SVG bar charts drawn from the report's JSON (no library), the
// open disputes and the commitments due, and the CSV and JSON downloads of the same figures.
import { h } from '../../dom.js';
import { label } from '../../i18n.js';
import { ensureCss } from '../incidents/index.js';

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A horizontal bar chart of {label: value}; values of null are drawn as "no data". */
export function barChart(id, title, data, unit = '') {
  const rows = Object.entries(data);
  const max = Math.max(1, ...rows.map(([, v]) => v || 0));
  const rowH = 22;
  const width = 420;
  const labelW = 150;
  const svg = s('svg', { id, class: 'chart', role: 'img', 'aria-label': title, width, height: rows.length * rowH + 28,
    viewBox: `0 0 ${width} ${rows.length * rowH + 28}` }, s('title', {}, title),
  s('text', { x: 0, y: 14, class: 'chart-title' }, title));
  rows.forEach(([key, value], i) => {
    const y = 22 + i * rowH;
    const w = value ? Math.max(2, ((width - labelW - 60) * value) / max) : 0;
    svg.append(s('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end', class: 'chart-label' }, key.replaceAll('_', ' ')),
      s('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, class: 'chart-bar', 'data-key': key, 'data-value': value ?? '' }),
      s('text', { x: labelW + w + 4, y: y + 14, class: 'chart-value' }, value === null ? '—' : `${value}${unit}`));
  });
  return svg;
}

const minutes = (sec) => (sec === null ? null : Math.round(sec / 6) / 10);

export default {
  id: 'report',
  titleKey: 'view.report',
  mount(root, ctx) {
    ensureCss();
    const today = new Date(ctx.now());
    const from = h('input', { type: 'date', id: 'report-from', value: new Date(today - 30 * 86400000).toISOString().slice(0, 10) });
    const to = h('input', { type: 'date', id: 'report-to', value: new Date(today.getTime() + 86400000).toISOString().slice(0, 10) });
    const csv = label('a', 'report.csv', { id: 'report-csv', class: 'btn', download: '' });
    const json = label('a', 'report.json', { id: 'report-json', class: 'btn', download: '' });
    const body = h('div', { class: 'report-body', id: 'report-body' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    root.append(h('section', { class: 'report' }, label('h2', 'report.title'),
      h('div', { class: 'report-period' }, from, to, csv, json), error, body));

    async function load() {
      const q = `from=${from.value}&to=${to.value}`;
      csv.href = `/api/v1/reports/summary.csv?${q}`;
      json.href = `/api/v1/reports/summary?${q}`;
      try {
        const r = await ctx.api.get(`/api/v1/reports/summary?${q}`);
        const per = (section, key) => Object.fromEntries(Object.entries(r[section]).map(([p, v]) => [p, minutes(v[key])]));
        body.replaceChildren(
          h('p', { id: 'report-total', text: `${r.incidents.total} incidents · ${r.open_disputes.length} open disputes · `
            + `${r.commitments.due} commitments due, ${r.commitments.late} late` }),
          h('div', { class: 'charts' },
            barChart('chart-category', 'Incidents by category', r.incidents.by_category),
            barChart('chart-sector', 'Incidents by sector', r.incidents.by_sector),
            barChart('chart-ack-median', 'Time to acknowledge, median (min)', per('time_to_acknowledge', 'median_s')),
            barChart('chart-ack-p95', 'Time to acknowledge, p95 (min)', per('time_to_acknowledge', 'p95_s')),
            barChart('chart-resolve-median', 'Time to resolve, median (min)', per('time_to_resolve', 'median_s')),
            barChart('chart-dispute-age', 'Open disputes, age (days)',
              Object.fromEntries(r.open_disputes.map((d) => [d.title.slice(0, 22), d.age_days])))),
          h('table', { class: 'report-table', id: 'report-commitments' },
            h('tr', {}, ['commitment', 'owner', 'due', 'status', 'late'].map((c) => h('th', { text: c }))),
            r.commitments.items.map((m) => h('tr', { class: m.late ? 'late' : '' },
              [m.text, m.owner, m.due, m.status, m.late ? 'late' : ''].map((c) => h('td', { text: c }))))));
      } catch (err) {
        error.textContent = err.message;
      }
    }
    from.addEventListener('change', load);
    to.addEventListener('change', load);
    load();
    return () => {};
  },
};
