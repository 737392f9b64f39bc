// The summary report for a period: bar charts drawn from the report's JSON (no library), the open
// disputes and the commitments due, and the CSV and JSON downloads of the same figures.
//
// A chart is a grid of rows (label | bar | value), not an SVG with computed positions: the grid gives
// each label its own cell, so no label can run into a bar at any width, and the page's direction
// mirrors the whole chart for Hebrew and Arabic. Every label is from the catalogs or is user data.
import { h, userText } from '../../dom.js';
import { label, onLanguageChange, t, tNodes } from '../../i18n.js';
import { ensureCss } from '../incidents/index.js';

/**
 * A horizontal bar chart. rows: [{key, label (text or node), value}] where a null value is drawn as
 * "no data". Bars are scaled to the largest value; each carries data-key and data-value.
 */
export function barChart(id, titleKey, rows, { unitKey = null } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value || 0));
  const title = t(titleKey);
  const figure = h('figure', { class: 'chart', id, 'aria-label': title },
    h('figcaption', { class: 'chart-title', dataset: { i18n: titleKey }, text: title }));
  if (!rows.length) figure.append(label('p', 'report.no_data', { class: 'muted chart-empty' }));
  for (const row of rows) {
    const bar = h('span', { class: 'chart-bar', dataset: { key: row.key, value: row.value ?? '' } });
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    bar.style.inlineSize = `${row.value ? Math.max(1, (100 * row.value) / max) : 0}%`;
    const value = row.value === null || row.value === undefined ? t('report.no_value')
      : unitKey ? t(unitKey, { n: row.value }) : String(row.value);
    figure.append(h('div', { class: 'chart-row' },
      h('span', { class: 'chart-label' }, row.label),
      h('span', { class: 'chart-track' }, bar),
      h('bdi', { class: 'chart-value', text: value })));
  }
  return figure;
}

const minutes = (sec) => (sec === null || sec === undefined ? null : Math.round(sec / 6) / 10);
const text = (key, fallback) => { const s = t(key); return s === key ? fallback : s; };

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
      h('div', { class: 'report-period' },
        label('label', 'report.from', { for: 'report-from' }), from,
        label('label', 'report.to', { for: 'report-to' }), to, csv, json), error, body));
    let last = null;

    function render(r) {
      const party = (id) => ctx.partyName(id);
      const perParty = (section, key) => Object.entries(r[section]).map(([p, v]) =>
        ({ key: p, label: party(p), value: minutes(v[key]) }));
      const commitments = r.commitments.items;
      body.replaceChildren(
        h('p', { id: 'report-total', class: 'report-total' }, tNodes('report.totals', {
          incidents: r.incidents.total, disputes: r.open_disputes.length,
          due: r.commitments.due, late: r.commitments.late })),
        h('div', { class: 'charts' },
          barChart('chart-category', 'report.chart.category', Object.entries(r.incidents.by_category).map(([k, v]) =>
            ({ key: k, label: t(`incident.category.${k}`), value: v }))),
          barChart('chart-sector', 'report.chart.sector', Object.entries(r.incidents.by_sector).map(([k, v]) =>
            ({ key: k, label: text(`sector.${k}`, k), value: v }))),
          barChart('chart-ack-median', 'report.chart.ack_median', perParty('time_to_acknowledge', 'median_s'),
            { unitKey: 'report.unit.min' }),
          barChart('chart-ack-p95', 'report.chart.ack_p95', perParty('time_to_acknowledge', 'p95_s'),
            { unitKey: 'report.unit.min' }),
          barChart('chart-resolve-median', 'report.chart.resolve_median', perParty('time_to_resolve', 'median_s'),
            { unitKey: 'report.unit.min' }),
          barChart('chart-dispute-age', 'report.chart.dispute_age', r.open_disputes.map((d) =>
            ({ key: d.id, label: userText('bdi', d.title), value: d.age_days })), { unitKey: 'report.unit.days' })),
        label('h3', 'report.commitments'),
        commitments.length ? h('table', { class: 'report-table', id: 'report-commitments' },
          h('thead', {}, h('tr', {}, ['commitment', 'owner', 'due', 'status', 'late']
            .map((c) => label('th', `report.col.${c}`)))),
          h('tbody', {}, commitments.map((m) => h('tr', { class: m.late ? 'late' : '' },
            h('td', {}, userText('span', m.text)),
            h('td', { text: party(m.owner) }),
            h('td', {}, h('bdi', { class: 'dtg', text: m.due })),
            h('td', { text: text(`commitment.status.${m.status}`, m.status) }),
            h('td', { text: m.late ? t('ack.late') : '' })))))
          : label('p', 'report.no_commitments', { class: 'muted', id: 'report-commitments-none' }));
    }

    async function load() {
      const q = `from=${from.value}&to=${to.value}`;
      csv.href = `/api/v1/reports/summary.csv?${q}`;
      json.href = `/api/v1/reports/summary?${q}`;
      error.textContent = '';
      try {
        last = await ctx.api.get(`/api/v1/reports/summary?${q}`);
        render(last);
      } catch (err) {
        error.textContent = err.message;
      }
    }
    from.addEventListener('change', load);
    to.addEventListener('change', load);
    const off = onLanguageChange(() => { if (last) render(last); });
    load();
    return () => off();
  },
};
