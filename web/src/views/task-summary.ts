import type { ApiOverlaps, ApiTask, TaskConflict } from '../api-types.js';
import { date, percent, plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

// How a task reads wherever it is shown: the proposal form's overlap warnings, the authority's
// queue and the ?task= details share these lines.

/** A conflict as the lists show it: another organisation's task, or land already released. */
export interface ShownConflict {
  kind: TaskConflict['kind'];
  task_id: number | null;
  organisation: { id: number; name: string } | null;
  overlap_m2: number;
}

/** The conflicts of one task in its country's overlap report, which lists a pair once, from either side. */
export function conflictsOf(report: ApiOverlaps, taskId: number): ShownConflict[] {
  return report.overlaps.flatMap((o): ShownConflict[] => {
    if (o.task_id === taskId)
      return [{ kind: o.kind, task_id: o.other_task_id, organisation: o.other_organisation, overlap_m2: o.overlap_m2 }];
    if (o.kind === 'task' && o.other_task_id === taskId)
      return [{ kind: 'task', task_id: o.task_id, organisation: o.organisation, overlap_m2: o.overlap_m2 }];
    return [];
  });
}

const squareMetres = (m2: number) => t('taskform.m2', { value: plainNumber(m2, 0) });

/** Each conflict on a line: whose task and how much overlaps, or how much released land lies inside. */
export function conflictList(conflicts: ShownConflict[]): HTMLElement {
  if (conflicts.length === 0) return h('p', { class: 'muted task-no-conflicts' }, t('taskform.no_conflicts'));
  return h(
    'ul',
    { class: 'task-conflicts' },
    ...conflicts.map((c) =>
      h(
        'li',
        {
          'data-kind': c.kind,
          'data-task-id': c.task_id ?? '',
          'data-organisation-id': c.organisation?.id ?? '',
          'data-overlap-m2': c.overlap_m2,
        },
        c.kind === 'task'
          ? t('taskform.conflict_task', {
              organisation: c.organisation?.name ?? '–',
              task: c.task_id ?? '–',
              area: squareMetres(c.overlap_m2),
            })
          : t('taskform.conflict_released', { area: squareMetres(c.overlap_m2) }),
      ),
    ),
  );
}

/** The grants paying for a task with their shares, or "self-funded"; shares the reader may not see as one total. */
function fundingText(p: ApiTask['properties']): string {
  const parts = p.funding.map((f) => `${f.donor.acronym ?? f.donor.name} ${percent(f.share)}`);
  if (p.funding_withheld_share > 0)
    parts.push(t('taskform.funding_withheld', { share: percent(p.funding_withheld_share) }));
  return parts.length ? parts.join(' · ') : t('taskform.self_funded');
}

const fact = (term: string, value: Node | string, name: string) => [
  h('dt', {}, term),
  h('dd', { 'data-fact': name }, value),
];

/**
 * The task's plan as a list of facts. The details add the team (the operator's own words, in its
 * own language and direction) and link each hazard (`hazardLink`); the queue keeps to the plan.
 */
export function taskFacts(task: ApiTask, hazardLink?: (id: number) => string): HTMLElement {
  const p = task.properties;
  const hazards = h(
    'span',
    {},
    ...p.hazard_ids.flatMap((id, i) => [
      i ? ', ' : '',
      hazardLink ? h('a', { href: hazardLink(id), 'data-nav': true }, String(id)) : String(id),
    ]),
  );
  return h(
    'dl',
    { class: 'facts task-facts' },
    ...fact(t('taskform.organisation'), p.organisation.name, 'organisation'),
    ...fact(t('taskform.method'), t(`task_method.${p.method}`), 'method'),
    ...fact(t('taskform.status'), t(`task_status.${p.status}`), 'status'),
    ...fact(
      t('taskform.dates'),
      t('taskform.date_range', { from: date(p.planned_start), to: date(p.planned_end) }),
      'dates',
    ),
    ...(p.team && hazardLink ? fact(t('taskform.team'), h('bdi', {}, p.team), 'team') : []),
    ...fact(t('taskform.hazards'), hazards, 'hazards'),
    ...fact(t('taskform.area'), squareMetres(p.area_m2), 'area'),
    ...fact(t('taskform.funding'), fundingText(p), 'funding'),
  );
}
