import type { ApiReconciliation, ObligationProgress } from '../api-types.js';
import { date, km2, t, yearLabel } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { Chart, type Marker, commonOptions } from './setup.js';

/** A date as a decimal year, the burn-down's x axis (Chart.js needs a date adapter for a time axis). */
export function yearPosition(iso: string): number {
  const [year, month = 1, day = 1] = iso.split('-').map(Number);
  const start = Date.UTC(year!, 0, 1);
  return year! + (Date.UTC(year!, month - 1, day) - start) / (Date.UTC(year! + 1, 0, 1) - start);
}

interface Point {
  x: number;
  y: number;
  date: string;
}

export interface BurndownInput {
  asOf: string;
  /** Remaining area at each year end (the as_of day for its own year), from the polygons. */
  polygon: { year: number; remaining_km2: number }[];
  obligation: ObligationProgress | null;
  reconciliation: ApiReconciliation | null;
}

interface TableRow {
  date: string;
  polygon?: number;
  reported?: number;
  note?: string;
}

const yearEnd = (year: number, asOf: string) => (asOf.startsWith(String(year)) ? asOf : `${year}-12-31`);

export function burndownSeries(input: BurndownInput) {
  const { obligation, asOf } = input;
  const polygon: Point[] = input.polygon.map((row) => {
    const day = yearEnd(row.year, asOf);
    return { x: yearPosition(day), y: row.remaining_km2, date: day };
  });
  const reported: Point[] = (input.reconciliation?.rows ?? [])
    .filter((row) => row.contamination === (obligation?.contamination ?? 'all'))
    .flatMap((row) => {
      const value = row.reported.find((r) => r.remaining_km2 !== null)?.remaining_km2;
      return value === undefined || value === null
        ? []
        : [{ x: yearPosition(`${row.year}-12-31`), y: value, date: `${row.year}-12-31` }];
    });

  const markers: Marker[] = [];
  const rows: TableRow[] = [
    ...polygon.map((p) => ({ date: p.date, polygon: p.y })),
    ...reported.map((p) => ({ date: p.date, reported: p.y })),
  ];
  const mark = (day: string, label: string, colour: string, dash: number[]) => {
    markers.push({ x: yearPosition(day), label, colour, dash });
    rows.push({ date: day, note: label });
  };
  let axisEnd = yearPosition(asOf) + 1;
  const projection: Point[] = [];
  if (obligation) {
    mark(obligation.original_deadline, t('chart.original_deadline'), '#6b3fa0', [5, 3]);
    for (const extension of obligation.extensions) {
      mark(extension.new_deadline, t('chart.extension', { meeting: extension.meeting }), '#b23a48', [2, 3]);
    }
    const deadlines = [obligation.original_deadline, ...obligation.extensions.map((e) => e.new_deadline)].map(
      yearPosition,
    );
    axisEnd = Math.max(axisEnd, ...deadlines.map((d) => d + 1));
    if (obligation.remaining_km2 !== null && obligation.projected_completion) {
      // A reported figure is projected from the end of its own year, which may be years before asOf.
      const from = obligation.projected_from;
      const start = { x: yearPosition(from), y: obligation.remaining_km2, date: from };
      const end = { x: yearPosition(obligation.projected_completion), y: 0, date: obligation.projected_completion };
      // A projection decades out would squash the chart: draw it to the axis end at the same slope.
      const limit = Math.max(axisEnd, start.x + 5);
      if (end.x > limit) {
        const slope = (end.y - start.y) / (end.x - start.x);
        projection.push(start, { x: limit, y: start.y + slope * (limit - start.x), date: '' });
      } else projection.push(start, end);
      axisEnd = Math.min(Math.max(axisEnd, end.x + 0.5), limit);
      rows.push({ date: obligation.projected_completion, note: t('chart.projected_completion') });
    }
  }
  markers.push({ x: yearPosition(asOf), label: t('chart.as_of'), colour: '#5b6570', dash: [1, 2] });
  rows.sort((a, b) => a.date.localeCompare(b.date));
  const first = Math.min(
    ...[...polygon, ...reported].map((p) => p.x),
    obligation ? yearPosition(obligation.entry_into_force) : Infinity,
  );
  return { polygon, reported, projection, markers, rows, xMin: Math.floor(first), xMax: Math.ceil(axisEnd) };
}

export function renderBurndown(canvas: HTMLCanvasElement, input: BurndownInput): Chart {
  const series = burndownSeries(input);
  const base = commonOptions();
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: t('chart.remaining_polygons'),
          data: series.polygon,
          borderColor: '#1f4e79',
          backgroundColor: '#1f4e79',
          pointRadius: 2.5,
          borderWidth: 2,
        },
        {
          label: t('chart.remaining_reported'),
          data: series.reported,
          showLine: false,
          borderColor: '#c05a00',
          backgroundColor: '#ffffff',
          pointStyle: 'rectRot',
          pointRadius: 5,
          pointBorderWidth: 2,
        },
        {
          label: t('chart.projection'),
          data: series.projection,
          borderColor: '#1f4e79',
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
        },
      ],
    },
    options: {
      ...base,
      parsing: false,
      scales: yearKm2Scales(series),
      plugins: {
        ...base.plugins,
        markers: { items: series.markers },
        tooltip: {
          ...base.plugins.tooltip,
          callbacks: {
            title: (items) => {
              const point = items[0]?.raw as Point | undefined;
              return point?.date ? date(point.date) : '';
            },
            label: (item) => `${item.dataset.label ?? ''}: ${km2((item.raw as Point).y)}`,
          },
        },
      },
    },
  });
}

/** The chart's table alternative: every plotted value and every marked date. */
export function burndownTable(input: BurndownInput, id: string): HTMLTableElement {
  const { rows } = burndownSeries(input);
  return h(
    'table',
    { id, class: 'data-table' },
    h('caption', {}, t('chart.burndown_table_caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('table.date')),
        h('th', { scope: 'col' }, t('chart.remaining_polygons')),
        h('th', { scope: 'col' }, t('chart.remaining_reported')),
        h('th', { scope: 'col' }, t('table.note')),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, date(row.date)),
          h('td', { class: 'num' }, row.polygon === undefined ? '' : km2(row.polygon)),
          h('td', { class: 'num' }, row.reported === undefined ? '' : km2(row.reported)),
          h('td', {}, row.note ?? ''),
        ),
      ),
    ),
  );
}

/** The burn-down charts' axes: years (as fractional numbers) across, km² up from zero. */
export function yearKm2Scales(series: { xMin: number; xMax: number }) {
  return {
    x: {
      type: 'linear' as const,
      min: series.xMin,
      max: series.xMax,
      ticks: {
        stepSize: Math.max(1, Math.ceil((series.xMax - series.xMin) / 8)),
        maxRotation: 0,
        callback: (value: string | number) => yearLabel(Number(value)),
      },
      title: { display: true, text: t('chart.year') },
    },
    y: { type: 'linear' as const, beginAtZero: true, title: { display: true, text: t('unit.km2_axis') } },
  };
}
