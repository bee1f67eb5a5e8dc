import { km2, t, yearLabel } from '../i18n/i18n.js';
import { METHOD_BORDERS, METHOD_COLOURS } from '../map/palette.js';
import { h } from '../ui/dom.js';
import { Chart, commonOptions } from './setup.js';
import { RELEASE_METHODS } from '../vocabulary.js';

export interface AnnualRow {
  year: number;
  newly_found_km2: number;
  cancelled_km2: number;
  reduced_km2: number;
  cleared_km2: number;
}

/** Area released per year, stacked by method (cancelled by non-technical survey, reduced by technical survey, cleared). */
export function renderAnnual(canvas: HTMLCanvasElement, rows: AnnualRow[]): Chart {
  const base = commonOptions();
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((row) => yearLabel(row.year)),
      datasets: RELEASE_METHODS.map((method) => ({
        label: t(`method.${method}`),
        data: rows.map((row) => row[`${method}_km2`]),
        backgroundColor: METHOD_COLOURS[method],
        borderColor: METHOD_BORDERS[method],
        borderWidth: 1,
        stack: 'released',
      })),
    },
    options: {
      ...base,
      scales: {
        x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: t('unit.km2_axis') } },
      },
      plugins: {
        ...base.plugins,
        legend: { ...base.plugins.legend, labels: { ...base.plugins.legend.labels, usePointStyle: false } },
        tooltip: {
          ...base.plugins.tooltip,
          callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${km2(item.parsed.y)}` },
        },
      },
    },
  });
}

export function annualTable(rows: AnnualRow[], id: string): HTMLTableElement {
  const header = [
    t('chart.year'),
    t('chart.newly_found'),
    ...RELEASE_METHODS.map((m) => t(`method.${m}`)),
    t('chart.total_released'),
  ];
  return h(
    'table',
    { id, class: 'data-table' },
    h('caption', {}, t('chart.annual_table_caption')),
    h('thead', {}, h('tr', {}, ...header.map((label) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, yearLabel(row.year)),
          h('td', { class: 'num' }, km2(row.newly_found_km2)),
          ...RELEASE_METHODS.map((m) => h('td', { class: 'num' }, km2(row[`${m}_km2`]))),
          h('td', { class: 'num' }, km2(row.cancelled_km2 + row.reduced_km2 + row.cleared_km2)),
        ),
      ),
    ),
  );
}
