import type { ApiHistory } from '../api-types-field.js';
import { fieldApi } from '../api.js';
import { currentLang, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';
import { canWriteHazards } from '../session.js';
import { type Task, type TaskContext, taskFrame } from './tasks.js';

type Version = ApiHistory['versions'][number];

const when = (iso: string) => new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function changeItem(change: Version['changes'][number]): HTMLElement {
  const name = change.field.replace(/^properties\./, '');
  if (change.field === 'geometry') return h('li', { 'data-field': 'geometry' }, t('history.geometry_changed'));
  return h('li', { 'data-field': name }, h('span', { class: 'change-field' }, name), ': ', h('span', { dir: 'auto' }, valueText(change.before)), ' → ', h('span', { dir: 'auto' }, valueText(change.after)));
}

const ACTIONS = ['create', 'update', 'delete', 'restore', 'approve', 'reject', 'import'] as const;
const actionLabel = (action: string) =>
  (ACTIONS as readonly string[]).includes(action) ? t(`history.action_${action as (typeof ACTIONS)[number]}`) : action;

/** A hazard's versions, newest first (who, when, what changed), each restorable as a new version. */
export function historyTask(context: TaskContext, hazardId: number): Task {
  const list = h('ol', { id: 'history-list', class: 'history-list' });
  const status = h('div', { 'aria-live': 'polite' });
  const element = taskFrame(t('history.title', { id: hazardId }), context, status, list);

  const load = async () => {
    list.replaceChildren(h('li', { class: 'muted' }, t('state.loading')));
    let history: ApiHistory;
    try {
      history = await fieldApi.history('hazards', hazardId);
    } catch (error) {
      list.replaceChildren(h('li', {}, alertBox(writeErrorMessage(error))));
      return;
    }
    const current = history.versions[0];
    const country = String(current?.feature?.properties?.country ?? context.iso3);
    const mayRestore = canWriteHazards(country);
    list.replaceChildren(
      ...history.versions.map((version) => {
        const restorable = mayRestore && current && version.version !== current.version && version.feature !== null;
        return h(
          'li',
          { class: 'history-version', 'data-version': version.version, 'data-action': version.action },
          h('p', { class: 'history-head' }, h('strong', {}, t('history.version', { version: version.version })), ' · ', actionLabel(version.action), ' · ', h('time', { datetime: version.at }, when(version.at))),
          h('p', { class: 'muted' }, version.user ? t('history.by', { who: version.user.email }) : t('history.by_system')),
          version.changes.length ? h('ul', { class: 'changes' }, ...version.changes.map(changeItem)) : null,
          restorable
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'button',
                  'data-restore': version.version,
                  onclick: async (event: Event) => {
                    (event.currentTarget as HTMLButtonElement).disabled = true;
                    try {
                      const restored = await fieldApi.restore(hazardId, current.version, version.version);
                      status.replaceChildren(h('p', { class: 'success', role: 'status' }, t('history.restored', { version: version.version, now: restored.properties.version })));
                      context.dataChanged();
                      await load();
                    } catch (error) {
                      status.replaceChildren(alertBox(writeErrorMessage(error)));
                      (event.currentTarget as HTMLButtonElement | null)?.removeAttribute('disabled');
                    }
                  },
                },
                t('history.restore'),
              )
            : null,
        );
      }),
    );
  };
  void load();
  return { element, destroy: () => undefined };
}
