import type { ObligationProgress } from '../api-types.js';
import { date, km2, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { burndownSeries, yearKm2Scales, yearPosition } from './burndown.js';
import { Chart, commonOptions } from './setup.js';

interface Point {
  x: number;
  y: number;
  date: string;
}

export interface PlanBurndownInput {
  asOf: string;
  /** Remaining area at each past year end, as on the country's burn-down. */
  polygon: { year: number; remaining_km2: number }[];
  /** The obligation whose recorded rate gives the "current rate" line. */
  obligation: ObligationProgress | null;
  plan: {
    start_on: string;
    /** The plan's work in scope at its start (km²). */
    total_km2: number;
    burn_down: { year: number; remaining_km2: number }[];
    deadline_on: string | null;
    completion_on: string | null;
  };
}

const HISTORY_YEARS = 6;
const SERIES = ['recorded', 'current', 'planned', 'required'] as const;
type SeriesName = (typeof SERIES)[number];

/**
 * Four lines against the deadline: the remaining area recorded so far and its projection at the
 * current rate (the country burn-down's own), the plan's year-end remaining, and the straight line
 * from the plan's start to nothing left at the deadline (the rate required).
 */
export function planBurndownSeries(input: PlanBurndownInput) {
  const { plan } = input;
  const country = burndownSeries({
    asOf: input.asOf,
    polygon: input.polygon,
    obligation: input.obligation,
    reconciliation: null,
  });
  const point = (day: string, y: number): Point => ({ x: yearPosition(day), y, date: day });
  const start = point(plan.start_on, plan.total_km2);
  const planned = [
    start,
    ...plan.burn_down
      .filter((row) => `${row.year}-12-31` > plan.start_on)
      .map((row) => point(`${row.year}-12-31`, row.remaining_km2)),
  ];
  const required = plan.deadline_on ? [start, point(plan.deadline_on, 0)] : [];
  const lines: Record<SeriesName, Point[]> = {
    recorded: country.polygon,
    current: country.projection,
    planned,
    required,
  };
  const markers = [...country.markers];
  if (plan.completion_on)
    markers.push({ x: yearPosition(plan.completion_on), label: t('planner.completion'), colour: '#009e73', dash: [] });
  const xs = Object.values(lines)
    .flat()
    .map((p) => p.x);
  // The past is context: a few years of it, so that the plan's years are not squashed.
  const xMin = Math.max(Math.floor(Math.min(...xs, country.xMin)), Math.floor(start.x) - HISTORY_YEARS);
  const xMax = Math.ceil(Math.max(...xs, ...markers.map((m) => m.x + 0.5)));
  return { lines, markers, xMin, xMax };
}

const STYLE: Record<SeriesName, { colour: string; dash: number[] }> = {
  recorded: { colour: '#1f4e79', dash: [] },
  current: { colour: '#1f4e79', dash: [6, 4] },
  planned: { colour: '#d55e00', dash: [] },
  required: { colour: '#6b3fa0', dash: [2, 3] },
};

export function renderPlanBurndown(canvas: HTMLCanvasElement, input: PlanBurndownInput): Chart {
  const series = planBurndownSeries(input);
  const base = commonOptions();
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: SERIES.map((name) => ({
        label: t(`planner.line_${name}`),
        data: series.lines[name],
        borderColor: STYLE[name].colour,
        backgroundColor: STYLE[name].colour,
        borderDash: STYLE[name].dash,
        borderWidth: 2,
        pointRadius: name === 'planned' || name === 'recorded' ? 2.5 : 0,
      })),
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
            title: (items) => date((items[0]?.raw as Point | undefined)?.date),
            label: (item) => `${item.dataset.label ?? ''}: ${km2((item.raw as Point).y)}`,
          },
        },
      },
    },
  });
}

/** The chart's table alternative: every plotted point by date, a column per line. */
export function planBurndownTable(input: PlanBurndownInput, id: string): HTMLTableElement {
  const { lines } = planBurndownSeries(input);
  const rows = new Map<string, Partial<Record<SeriesName, number>>>();
  for (const name of SERIES)
    for (const p of lines[name]) if (p.date) rows.set(p.date, { ...rows.get(p.date), [name]: p.y });
  return h(
    'table',
    { id, class: 'data-table' },
    h('caption', {}, t('planner.burndown_caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('table.date')),
        ...SERIES.map((name) => h('th', { scope: 'col' }, t(`planner.line_${name}`))),
      ),
    ),
    h(
      'tbody',
      {},
      ...[...rows]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, values]) =>
          h(
            'tr',
            { 'data-date': day },
            h('th', { scope: 'row' }, date(day)),
            ...SERIES.map((name) =>
              h(
                'td',
                { class: 'num', 'data-series': name, 'data-value': values[name] ?? '' },
                values[name] === undefined ? '' : km2(values[name]),
              ),
            ),
          ),
        ),
    ),
  );
}
