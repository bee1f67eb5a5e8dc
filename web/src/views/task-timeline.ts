import type { ApiTask } from '../api-types.js';
import { figureBlock } from '../charts/chart-block.js';
import { date, isRtl, t, yearLabel } from '../i18n/i18n.js';
import { TASK_STATUS_COLOURS } from '../map/palette.js';
import { h } from '../ui/dom.js';
import { legendItem } from '../ui/legend.js';

type Task = ApiTask['properties'];

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/** A bar runs from the actual start to the actual end where they are known, else from the planned ones. */
const startOf = (task: Task) => task.actual_start ?? task.planned_start;
const endOf = (task: Task) => task.actual_end ?? task.planned_end;

export const taskStatusLabel = (status: Task['status']) => t(`task_status.${status}`);
export const taskMethodLabel = (method: Task['method']) => t(`task_method.${method}`);

function taskLabel(task: Task): string {
  return t('coalition.timeline_bar', {
    id: task.id,
    method: taskMethodLabel(task.method),
    status: taskStatusLabel(task.status),
    start: date(startOf(task)),
    end: date(endOf(task)),
  });
}

/** Bars that overlap in time go on separate lanes of their row, each on the first lane free by its start. */
function lanes(tasks: Task[]): Task[][] {
  const out: Task[][] = [];
  for (const task of [...tasks].sort((a, b) => startOf(a).localeCompare(startOf(b)) || a.id - b.id)) {
    const lane = out.find((l) => endOf(l.at(-1)!) < startOf(task));
    if (lane) lane.push(task);
    else out.push([task]);
  }
  return out;
}

/**
 * Arrow keys move between bars: along a row with left and right (mirrored right-to-left), to the
 * nearest bar in time of the row above or below with up and down.
 */
export function arrowKeys(grid: HTMLElement): void {
  grid.addEventListener('keydown', (event) => {
    const bar = (event.target as Element).closest<HTMLElement>('.gantt-bar');
    if (!bar) return;
    const rows = [...grid.querySelectorAll<HTMLElement>('.gantt-row')];
    const row = bar.closest<HTMLElement>('.gantt-row')!;
    const barsOf = (r: HTMLElement) =>
      [...r.querySelectorAll<HTMLElement>('.gantt-bar')].sort(
        (a, b) => Number(a.dataset.start) - Number(b.dataset.start),
      );
    const along = barsOf(row);
    const forward = isRtl() ? 'ArrowLeft' : 'ArrowRight';
    const backward = isRtl() ? 'ArrowRight' : 'ArrowLeft';
    let next: HTMLElement | undefined;
    if (event.key === forward) next = along[along.indexOf(bar) + 1];
    else if (event.key === backward) next = along[along.indexOf(bar) - 1];
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const other = rows[rows.indexOf(row) + (event.key === 'ArrowDown' ? 1 : -1)];
      const start = Number(bar.dataset.start);
      next = other
        ? barsOf(other).sort(
            (a, b) => Math.abs(Number(a.dataset.start) - start) - Math.abs(Number(b.dataset.start) - start),
          )[0]
        : undefined;
    } else return;
    event.preventDefault();
    next?.focus();
  });
}

/**
 * The Gantt-style timeline: one row per operator, a bar per task coloured by status, a line at
 * today; each bar a link to the task on the map, reachable with Tab and the arrow keys, and the
 * same tasks as a table.
 */
export function taskTimeline(tasks: ApiTask[], today: string, taskLink: (id: number) => string): HTMLElement {
  const all = tasks.map((task) => task.properties);
  const title = t('coalition.timeline_title');
  if (all.length === 0)
    return h(
      'section',
      { class: 'card', id: 'task-timeline' },
      h('h2', {}, title),
      h('p', { class: 'muted' }, t('coalition.timeline_none')),
    );
  const firstYear = Number(all.map(startOf).sort()[0]!.slice(0, 4));
  const lastYear = Math.max(Number(today.slice(0, 4)), ...all.map((task) => Number(endOf(task).slice(0, 4))));
  const from = dayOf(`${firstYear}-01-01`);
  const span = dayOf(`${lastYear + 1}-01-01`) - from;
  const at = (iso: string) => (100 * (dayOf(iso) - from)) / span;

  const operators = new Map<number, { name: string; tasks: Task[] }>();
  for (const task of all) {
    const entry = operators.get(task.organisation_id) ?? { name: task.organisation.name, tasks: [] };
    entry.tasks.push(task);
    operators.set(task.organisation_id, entry);
  }
  const rows = [...operators.entries()].sort(([, a], [, b]) => a.name.localeCompare(b.name));
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);

  const bar = (task: Task) =>
    h('a', {
      class: 'gantt-bar',
      href: taskLink(task.id),
      'data-nav': true,
      'data-task': task.id,
      'data-status': task.status,
      'data-start': dayOf(startOf(task)),
      'aria-label': taskLabel(task),
      title: taskLabel(task),
      style:
        `inset-inline-start:${at(startOf(task))}%;` +
        `inline-size:max(4px, ${at(endOf(task)) + (100 * 1) / span - at(startOf(task))}%);` +
        `background:${TASK_STATUS_COLOURS[task.status]}`,
    });
  const grid = h(
    'div',
    { class: 'gantt', role: 'group', 'aria-label': title, 'aria-describedby': 'gantt-help' },
    h(
      'div',
      { class: 'gantt-axis', 'aria-hidden': 'true' },
      h('span', {}),
      h(
        'div',
        { class: 'gantt-ticks' },
        ...years.map((year) =>
          h('span', { class: 'gantt-year', style: `inset-inline-start:${at(`${year}-01-01`)}%` }, yearLabel(year)),
        ),
      ),
    ),
    ...rows.map(([id, operator]) =>
      h(
        'div',
        { class: 'gantt-row', role: 'group', 'aria-label': operator.name, 'data-organisation': id },
        h('div', { class: 'gantt-name' }, operator.name),
        h(
          'div',
          { class: 'gantt-track' },
          ...years.map((year) =>
            h('span', { class: 'gantt-gridline', style: `inset-inline-start:${at(`${year}-01-01`)}%` }),
          ),
          ...lanes(operator.tasks).map((lane) => h('div', { class: 'gantt-lane' }, ...lane.map(bar))),
          h('span', { class: 'gantt-today', style: `inset-inline-start:${at(today)}%`, 'aria-hidden': 'true' }),
        ),
      ),
    ),
  );
  arrowKeys(grid);
  const statuses = [...new Set(all.map((task) => task.status))];
  const figure = h(
    'div',
    {},
    h('p', { class: 'muted chart-note', id: 'gantt-help' }, t('coalition.timeline_help')),
    h('div', { class: 'gantt-scroll' }, grid),
    h(
      'ul',
      { class: 'legend-items gantt-legend' },
      ...statuses.map((status) => legendItem(TASK_STATUS_COLOURS[status], taskStatusLabel(status))),
      h('li', { class: 'gantt-today-key' }, t('coalition.timeline_today', { date: date(today) })),
    ),
  );
  return h('div', { id: 'task-timeline' }, figureBlock(title, figure, timelineTable(rows), undefined));
}

function timelineTable(rows: [number, { name: string; tasks: Task[] }][]): HTMLTableElement {
  const header = [
    t('coalition.operator'),
    t('coalition.task'),
    t('coalition.method'),
    t('coalition.status'),
    t('coalition.planned'),
    t('coalition.actual'),
  ];
  const span = (start: string | null, end: string | null) => (start ? `${date(start)} – ${date(end)}` : '–');
  return h(
    'table',
    { id: 'timeline-table', class: 'data-table' },
    h('caption', {}, t('coalition.timeline_caption')),
    h('thead', {}, h('tr', {}, ...header.map((label) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...rows.flatMap(([, operator]) =>
        [...operator.tasks]
          .sort((a, b) => startOf(a).localeCompare(startOf(b)))
          .map((task) =>
            h(
              'tr',
              { 'data-task': task.id },
              h('th', { scope: 'row' }, operator.name),
              h('td', {}, t('coalition.task_id', { id: task.id })),
              h('td', {}, taskMethodLabel(task.method)),
              h('td', {}, taskStatusLabel(task.status)),
              h('td', {}, span(task.planned_start, task.planned_end)),
              h('td', {}, span(task.actual_start, task.actual_end)),
            ),
          ),
      ),
    ),
  );
}
