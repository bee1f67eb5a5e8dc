import type { ApiHistory } from '../api-types.js';
import { fieldApi } from '../api.js';
import { dateTime, km2, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';
import { valueText } from '../ui/format.js';
import { canWriteHazards } from '../session.js';
import { type Task, type TaskContext, taskFrame } from './tasks.js';

type Version = ApiHistory['versions'][number];

/** Areas in km² and timestamps in the reader's language; anything else as the API wrote it. */
function changeValue(field: string, value: unknown): string {
  if (typeof value === 'number' && field.endsWith('_m2')) return km2(value / 1e6);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return dateTime(value);
  return valueText(value);
}

function changeItem(change: Version['changes'][number]): HTMLElement {
  const name = change.field.replace(/^properties\./, '');
  if (change.field === 'geometry') return h('li', { 'data-field': 'geometry' }, t('history.geometry_changed'));
  return h(
    'li',
    { 'data-field': name },
    h('span', { class: 'change-field' }, name),
    ': ',
    h('span', { dir: 'auto' }, changeValue(name, change.before)),
    ' → ',
    h('span', { dir: 'auto' }, changeValue(name, change.after)),
  );
}

/** A version's changes; a creation lists every field from nothing, so that long list starts folded. */
function changeList(version: Version): HTMLElement | null {
  if (version.changes.length === 0) return null;
  const list = h('ul', { class: 'changes' }, ...version.changes.map(changeItem));
  if (version.action !== 'create' && version.action !== 'import') return list;
  return h(
    'details',
    { class: 'changes-folded' },
    h('summary', {}, t('history.recorded_values', { count: version.changes.length })),
    list,
  );
}

const ACTIONS = ['create', 'update', 'delete', 'restore', 'approve', 'reject', 'import'] as const;
const actionLabel = (action: string) =>
  (ACTIONS as readonly string[]).includes(action) ? t(`history.action_${action as (typeof ACTIONS)[number]}`) : action;

/**
 * A hazard's or a release's versions, newest first (who, when, what changed). A hazard's earlier
 * versions can be restored as a new version; the API restores no releases (review decides those).
 */
export function historyTask(context: TaskContext, kind: 'hazards' | 'releases', id: number): Task {
  const list = h('ol', { id: 'history-list', class: 'history-list', 'data-kind': kind, 'data-id': id });
  const status = h('div', { 'aria-live': 'polite' });
  const element = taskFrame(
    kind === 'hazards' ? t('history.title', { id }) : t('history.release_title', { id }),
    context,
    status,
    list,
  );

  const load = async () => {
    list.replaceChildren(h('li', { class: 'muted' }, t('state.loading')));
    let history: ApiHistory;
    try {
      history = await fieldApi.history(kind, id);
    } catch (error) {
      list.replaceChildren(h('li', {}, alertBox(writeErrorMessage(error))));
      return;
    }
    const current = history.versions[0];
    if (!current) return list.replaceChildren(h('li', { class: 'muted', id: 'history-empty' }, t('history.empty')));
    const country = String(current.feature?.properties?.country ?? context.iso3);
    const mayRestore = kind === 'hazards' && canWriteHazards(country);
    list.replaceChildren(
      ...history.versions.map((version) => {
        const restorable = mayRestore && version.version !== current.version && version.feature !== null;
        return h(
          'li',
          { class: 'history-version', 'data-version': version.version, 'data-action': version.action },
          h(
            'p',
            { class: 'history-head' },
            h('strong', {}, t('history.version', { version: version.version })),
            ' · ',
            actionLabel(version.action),
            ' · ',
            h('time', { datetime: version.at }, dateTime(version.at)),
          ),
          h(
            'p',
            { class: 'muted' },
            version.user ? t('history.by', { who: version.user.email }) : t('history.by_system'),
          ),
          changeList(version),
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
                      const restored = await fieldApi.restore(id, current.version, version.version);
                      status.replaceChildren(
                        h(
                          'p',
                          { class: 'success', role: 'status' },
                          t('history.restored', { version: version.version, now: restored.properties.version }),
                        ),
                      );
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
