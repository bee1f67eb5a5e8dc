import { ApiError, fieldApi } from '../api.js';
import type { ApiOverlaps, ApiTask } from '../api-types.js';
import { t } from '../i18n/i18n.js';
import type { SafegroundMap } from '../map/map.js';
import { type MapOverlay, boundsOf } from '../map/overlay.js';
import { h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';
import { conflictList, conflictsOf, taskFacts } from './task-summary.js';

/**
 * The authority's task queue, under the releases on the review page: the proposed tasks of its
 * country (every country for an admin) with their plan, funding and current conflicts, each
 * approved or rejected with a reason. A decision that comes too late (another reviewer decided
 * first) is said so, and the queue reloads.
 */
export class TaskQueue {
  readonly element = h('section', { id: 'task-queue', class: 'card', 'aria-labelledby': 'task-queue-title' });
  private readonly outcome = h('div', { id: 'task-queue-outcome', 'aria-live': 'polite' });
  private iso3: string | null = null;

  constructor(
    private readonly map: SafegroundMap,
    private readonly overlay: MapOverlay,
  ) {}

  async load(iso3: string | null): Promise<void> {
    this.iso3 = iso3;
    const page = await fieldApi.tasks(`status=proposed&limit=1000${iso3 ? `&country=${iso3}` : ''}`);
    const countries = [...new Set(page.features.map((task) => task.properties.country))];
    const reports = new Map<string, ApiOverlaps>(
      await Promise.all(countries.map(async (c) => [c, await fieldApi.overlaps(c)] as const)),
    );
    this.render(page.features, reports);
  }

  private render(tasks: ApiTask[], reports: Map<string, ApiOverlaps>): void {
    this.element.replaceChildren(
      h('h2', { id: 'task-queue-title' }, t('taskqueue.title')),
      h('p', { class: 'muted' }, t('taskqueue.lede')),
      this.outcome,
      tasks.length
        ? h(
            'ul',
            { class: 'plain task-queue', 'aria-label': t('taskqueue.title') },
            ...tasks.map((task) => h('li', {}, this.item(task, reports.get(task.properties.country)))),
          )
        : h('p', { class: 'muted', id: 'task-queue-empty' }, t('taskqueue.empty')),
    );
  }

  private item(task: ApiTask, report: ApiOverlaps | undefined): HTMLElement {
    const { id } = task;
    const p = task.properties;
    const reason = h('textarea', {
      id: `task-reason-${id}`,
      rows: '2',
      required: true,
      minlength: '3',
      maxlength: '2000',
    });
    const problem = h('div', { 'aria-live': 'polite' });
    const article = h('article', {
      class: 'task-queue-item',
      'data-task-id': id,
      'data-version': p.version,
      'aria-labelledby': `task-queue-item-${id}`,
    });
    const decide = async (action: () => Promise<ApiTask>) => {
      for (const control of article.querySelectorAll<HTMLButtonElement>('button')) control.disabled = true;
      try {
        const decided = await action();
        this.map.refreshData();
        this.overlay.clear();
        await this.reload(
          h(
            'p',
            { class: 'success', role: 'status', 'data-task-id': id, 'data-status': decided.properties.status },
            decided.properties.status === 'approved'
              ? t('taskqueue.approved', { id })
              : t('taskqueue.rejected', { id }),
          ),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          // Decided by someone else meanwhile: say so and show the queue as it is now.
          await this.reload(alertBox(t('taskqueue.stale', { id, message: error.serverMessage })));
          return;
        }
        problem.replaceChildren(alertBox(writeErrorMessage(error)));
        for (const control of article.querySelectorAll<HTMLButtonElement>('button')) control.disabled = false;
      }
    };
    const conflicts = report ? conflictsOf(report, id) : null;
    article.append(
      h('h3', { id: `task-queue-item-${id}` }, t('taskqueue.item', { id, organisation: p.organisation.name })),
      taskFacts(task),
      h('h4', {}, t('taskform.conflicts_current')),
      conflicts ? conflictList(conflicts) : h('p', { class: 'muted' }, t('taskform.conflicts_unknown')),
      h(
        'div',
        { class: 'decision' },
        h(
          'button',
          { type: 'button', class: 'button', 'data-action': 'show-task', onclick: () => this.show(task) },
          t('taskqueue.show'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button button-primary',
            'data-action': 'approve-task',
            onclick: () => void decide(() => fieldApi.approveTask(id)),
          },
          t('taskqueue.approve'),
        ),
      ),
      h(
        'form',
        {
          class: 'task-form',
          'data-action': 'reject-task',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (reason.value.trim().length < 3) {
              problem.replaceChildren(alertBox(t('taskqueue.reason_required')));
              reason.focus();
              return;
            }
            void decide(() => fieldApi.rejectTask(id, reason.value.trim()));
          },
        },
        field(t('taskqueue.reason'), reason, t('taskqueue.reason_hint')),
        h('button', { type: 'submit', class: 'button' }, t('taskqueue.reject')),
      ),
      problem,
    );
    return article;
  }

  /** The task's area on the map, framed. */
  private show(task: ApiTask): void {
    this.overlay.show([{ role: 'submitted', geometry: task.geometry }]);
    const bounds = boundsOf(task.geometry);
    if (bounds) this.map.map.fitBounds(bounds, { padding: 60, maxZoom: 15, duration: 0 });
  }

  /** Loads the queue again with a line on what happened, and takes the keyboard to that line. */
  private async reload(message: HTMLElement): Promise<void> {
    try {
      await this.load(this.iso3);
    } catch (error) {
      message = alertBox(writeErrorMessage(error));
    }
    message.setAttribute('tabindex', '-1');
    this.outcome.replaceChildren(message);
    message.focus();
  }
}
