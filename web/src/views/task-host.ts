import { h } from '../ui/dom.js';
import { newHazardTask } from './hazard-create.js';
import { editHazardTask } from './hazard-editor.js';
import { historyTask } from './history-panel.js';
import { recordReleaseTask } from './release-form.js';
import { taskDetailsTask } from './task-details.js';
import { proposeTaskTask } from './task-form.js';
import type { Task, TaskContext, TaskName } from './tasks.js';

function startTask(context: TaskContext, name: TaskName, id?: number): Task {
  if (name === 'history' && id) return historyTask(context, 'hazards', id);
  if (name === 'release-history' && id) return historyTask(context, 'releases', id);
  if (name === 'edit') return editHazardTask(context, id);
  if (name === 'create') return newHazardTask(context);
  if (name === 'propose') return proposeTaskTask(context, id);
  if (name === 'task' && id) return taskDetailsTask(context, id);
  return recordReleaseTask(context, id);
}

/** The country view's side-panel slot for one task at a time (record a release, edit or draw a hazard, history, propose or show a task). */
export class TaskHost {
  readonly element = h('div', { id: 'task-panel' });
  private task: Task | null = null;

  constructor(private readonly base: Omit<TaskContext, 'iso3' | 'close' | 'open'>) {}

  open(iso3: string, name: TaskName, id?: number): void {
    this.close();
    const context: TaskContext = {
      ...this.base,
      iso3,
      close: () => this.close(),
      open: (next, nextId) => this.open(iso3, next, nextId),
    };
    this.task = startTask(context, name, id);
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
