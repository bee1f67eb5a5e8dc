import { figureBlock } from '../charts/chart-block.js';
import { date, km2, t, yearLabel } from '../i18n/i18n.js';
import { METHOD_COLOURS } from '../map/palette.js';
import { h } from '../ui/dom.js';
import { legendItem } from '../ui/legend.js';
import type { ReadyPlan, PlanMethod, ScheduleRow } from './planner-api.js';
import { arrowKeys } from './task-timeline.js';

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
/** Months of work a stand-down or an idle spell does not break: the schedule's entries are per month. */
const JOIN_DAYS = 35;

export interface GanttBar {
  teamId: number;
  method: PlanMethod;
  startOn: string;
  endOn: string;
  areaM2: number;
}

/** A team's consecutive months by one method as one bar; a break of more than a month starts another. */
export function ganttBars(schedule: ScheduleRow[]): GanttBar[] {
  const sorted = [...schedule].sort((a, b) => a.team_id - b.team_id || a.start_on.localeCompare(b.start_on));
  const bars: GanttBar[] = [];
  for (const row of sorted) {
    const last = bars.at(-1);
    if (
      last &&
      last.teamId === row.team_id &&
      last.method === row.method &&
      dayOf(row.start_on) - dayOf(last.endOn) <= JOIN_DAYS
    ) {
      last.endOn = row.end_on > last.endOn ? row.end_on : last.endOn;
      last.areaM2 += row.area_m2;
    } else
      bars.push({
        teamId: row.team_id,
        method: row.method,
        startOn: row.start_on,
        endOn: row.end_on,
        areaM2: row.area_m2,
      });
  }
  return bars;
}

/**
 * The plan's Gantt chart: one row per team, a bar per spell of work coloured by method. Bars are
 * buttons reached with Tab and the arrow keys; choosing one plays the map to the month it starts.
 */
export function planGantt(plan: ReadyPlan, onPick: (startOn: string) => void): HTMLElement {
  const title = t('planner.gantt_title');
  const bars = ganttBars(plan.schedule);
  const teamName = (id: number) => plan.teams.find((team) => team.id === id)?.name ?? t('planner.team_id', { id });
  if (bars.length === 0)
    return h(
      'section',
      { class: 'card', id: 'plan-gantt' },
      h('h2', {}, title),
      h('p', { class: 'muted' }, t('planner.gantt_none')),
    );
  const firstYear = Number(plan.inputs.start_on.slice(0, 4));
  const lastYear = Math.max(...bars.map((bar) => Number(bar.endOn.slice(0, 4))));
  const from = dayOf(`${firstYear}-01-01`);
  const span = dayOf(`${lastYear + 1}-01-01`) - from;
  const at = (iso: string) => (100 * (dayOf(iso) - from)) / span;
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const labelStep = Math.ceil(years.length / 6);
  const label = (bar: GanttBar) =>
    t('planner.gantt_bar', {
      team: teamName(bar.teamId),
      method: t(`method.${bar.method}`),
      start: date(bar.startOn),
      end: date(bar.endOn),
      area: km2(bar.areaM2 / 1e6),
    });
  const button = (bar: GanttBar) =>
    h('button', {
      type: 'button',
      class: 'gantt-bar',
      'data-team': bar.teamId,
      'data-method': bar.method,
      'data-start': dayOf(bar.startOn),
      'aria-label': label(bar),
      title: label(bar),
      style:
        `inset-inline-start:${at(bar.startOn)}%;` +
        `inline-size:max(4px, ${at(bar.endOn) + 100 / span - at(bar.startOn)}%);` +
        `background:${METHOD_COLOURS[bar.method]}`,
      onclick: () => onPick(bar.startOn),
    });
  const teamIds = [...new Set(bars.map((bar) => bar.teamId))];
  const grid = h(
    'div',
    { class: 'gantt', role: 'group', 'aria-label': title, 'aria-describedby': 'plan-gantt-help' },
    h(
      'div',
      { class: 'gantt-axis', 'aria-hidden': 'true' },
      h('span', {}),
      h(
        'div',
        { class: 'gantt-ticks' },
        // A label every few years where many would overlap; the gridlines still mark each year.
        ...years
          .filter((year) => (year - firstYear) % labelStep === 0)
          .map((year) =>
            h('span', { class: 'gantt-year', style: `inset-inline-start:${at(`${year}-01-01`)}%` }, yearLabel(year)),
          ),
      ),
    ),
    ...teamIds.map((id) =>
      h(
        'div',
        { class: 'gantt-row', role: 'group', 'aria-label': teamName(id), 'data-team': id },
        h('div', { class: 'gantt-name' }, teamName(id)),
        h(
          'div',
          { class: 'gantt-track' },
          ...years.map((year) =>
            h('span', { class: 'gantt-gridline', style: `inset-inline-start:${at(`${year}-01-01`)}%` }),
          ),
          h('div', { class: 'gantt-lane' }, ...bars.filter((bar) => bar.teamId === id).map(button)),
        ),
      ),
    ),
  );
  arrowKeys(grid);
  const methods = [...new Set(bars.map((bar) => bar.method))];
  const figure = h(
    'div',
    {},
    h('p', { class: 'muted chart-note', id: 'plan-gantt-help' }, t('planner.gantt_help')),
    h('div', { class: 'gantt-scroll' }, grid),
    h(
      'ul',
      { class: 'legend-items gantt-legend' },
      ...methods.map((method) => legendItem(METHOD_COLOURS[method], t(`method.${method}`))),
    ),
  );
  return h('div', { id: 'plan-gantt' }, figureBlock(title, figure, ganttTable(bars, teamName)));
}

function ganttTable(bars: GanttBar[], teamName: (id: number) => string): HTMLTableElement {
  const header = [t('planner.team'), t('planner.method'), t('planner.from'), t('planner.to'), t('planner.area')];
  return h(
    'table',
    { id: 'gantt-table', class: 'data-table' },
    h('caption', {}, t('planner.gantt_caption')),
    h('thead', {}, h('tr', {}, ...header.map((label) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...bars.map((bar) =>
        h(
          'tr',
          { 'data-team': bar.teamId, 'data-method': bar.method },
          h('th', { scope: 'row' }, teamName(bar.teamId)),
          h('td', {}, t(`method.${bar.method}`)),
          h('td', {}, date(bar.startOn)),
          h('td', {}, date(bar.endOn)),
          h('td', { class: 'num', 'data-value': bar.areaM2 }, km2(bar.areaM2 / 1e6)),
        ),
      ),
    ),
  );
}
