import { fieldApi } from '../api.js';
import type { ApiTask, TaskConflict } from '../api-types.js';
import { t } from '../i18n/i18n.js';
import { boundsOf } from '../map/overlay.js';
import { h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';
import { conflictList, conflictsOf, taskFacts } from './task-summary.js';
import { type Task, type TaskContext, taskFrame } from './tasks.js';

/** Still in play: the tasks the overlap rule compares (the overlap report lists only these). */
const ACTIVE = new Set<ApiTask['properties']['status']>(['proposed', 'approved', 'ongoing', 'suspended']);

/** This page's address focused on a hazard instead of the task (language and year kept). */
function hazardHref(hazardId: number): string {
  const url = new URL(location.href);
  url.searchParams.delete('task');
  url.searchParams.set('hazard', String(hazardId));
  return `${url.pathname}${url.search}`;
}

/**
 * One task (?task=): its area framed on the map, its operator, method, status, dates, hazards and
 * funding, and its conflicts (the current ones while it is active, else those it was proposed with).
 */
export function taskDetailsTask(context: TaskContext, id: number): Task {
  const body = h('div', { class: 'task-body' }, h('p', { class: 'muted', role: 'status' }, t('state.loading')));
  const element = taskFrame(t('taskform.details_title', { id }), context, body);
  let closed = false;

  const show = async () => {
    let task: ApiTask;
    try {
      task = await fieldApi.task(id);
    } catch (error) {
      if (!closed) body.replaceChildren(alertBox(writeErrorMessage(error)));
      return;
    }
    if (closed) return;
    context.overlay.show([{ role: 'submitted', geometry: task.geometry }]);
    const bounds = boundsOf(task.geometry);
    if (bounds) context.map.map.fitBounds(bounds, { padding: 80, maxZoom: 15, duration: 0 });
    const p = task.properties;
    const active = ACTIVE.has(p.status);
    const conflicts = active
      ? await fieldApi.overlaps(p.country).then(
          (report) => conflictsOf(report, id),
          () => null,
        )
      : (p.acknowledged_overlaps as TaskConflict[]);
    if (closed) return;
    body.replaceChildren(
      h(
        'div',
        { id: 'task-details', 'data-task-id': id, 'data-status': p.status, 'data-version': p.version },
        taskFacts(task, hazardHref),
        h('h3', {}, active ? t('taskform.conflicts_current') : t('taskform.conflicts_proposed')),
        conflicts ? conflictList(conflicts) : h('p', { class: 'muted' }, t('taskform.conflicts_unknown')),
        p.decision_reason ? h('p', {}, t('taskform.reason', { reason: p.decision_reason })) : null,
      ),
    );
  };
  void show();
  return {
    element,
    destroy: () => {
      closed = true;
      context.overlay.clear();
    },
  };
}
