import { h } from '../ui/dom.js';
import { editHazardTask } from './hazard-editor.js';
import { historyTask } from './history-panel.js';
import { recordReleaseTask } from './release-form.js';
import type { Task, TaskContext, TaskName } from './tasks.js';

/** The country view's side-panel slot for one task at a time (record a release, edit a hazard, history). */
export class TaskHost {
  readonly element = h('div', { id: 'task-panel' });
  private task: Task | null = null;

  constructor(private readonly base: Omit<TaskContext, 'iso3' | 'close' | 'open'>) {}

  open(iso3: string, name: TaskName, hazardId?: number): void {
    this.close();
    const context: TaskContext = { ...this.base, iso3, close: () => this.close(), open: (next, id) => this.open(iso3, next, id) };
    if (name === 'history' && hazardId) this.task = historyTask(context, hazardId);
    else if (name === 'edit') this.task = editHazardTask(context, hazardId);
    else this.task = recordReleaseTask(context, hazardId);
    this.element.replaceChildren(this.task.element);
    this.element.scrollIntoView({ block: 'nearest' });
    this.element.querySelector<HTMLElement>('#task-title')?.focus();
  }

  close(): void {
    this.task?.destroy();
    this.task = null;
    this.element.replaceChildren();
  }
}
