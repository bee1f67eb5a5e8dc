import { t } from '../i18n/i18n.js';
import { canPlan, canProposeTask, canReadTeams, canRecordRelease, canWriteHazards } from '../session.js';
import { h } from '../ui/dom.js';
import type { TaskName } from './tasks.js';

/** The country dashboard's tools: data quality for everyone; recording, drawing and editing for those allowed here. */
export function fieldTools(iso3: string, qualityHref: string, open: (task: TaskName) => void): HTMLElement {
  const button = (task: TaskName, id: string, label: string) =>
    h('button', { type: 'button', class: 'button', id, onclick: () => open(task) }, label);
  return h(
    'nav',
    { id: 'field-tools', class: 'field-tools', 'aria-label': t('field.tools') },
    canRecordRelease(iso3) ? button('record', 'record-release', t('field.record_title')) : null,
    canWriteHazards(iso3) ? button('create', 'new-hazard', t('field.create_title')) : null,
    canWriteHazards(iso3) ? button('edit', 'edit-hazard', t('field.edit_title')) : null,
    canProposeTask(iso3) ? button('propose', 'propose-task', t('taskform.title')) : null,
    h(
      'a',
      { href: qualityHref, 'data-nav': true, id: 'quality-link', class: 'button button-quiet' },
      t('quality.link'),
    ),
    h(
      'a',
      {
        href: qualityHref.replace(/\/quality(?=\?|$)/, '/coalition'),
        'data-nav': true,
        id: 'coalition-link',
        class: 'button button-quiet',
      },
      t('coalition.link'),
    ),
    canReadTeams(iso3)
      ? h(
          'a',
          {
            href: qualityHref.replace(/\/quality(?=\?|$)/, '/teams'),
            'data-nav': true,
            id: 'teams-link',
            class: 'button button-quiet',
          },
          t('teams.link'),
        )
      : null,
    canPlan(iso3)
      ? h(
          'a',
          {
            href: qualityHref.replace(/\/quality(?=\?|$)/, '/planner'),
            'data-nav': true,
            id: 'planner-link',
            class: 'button button-quiet',
          },
          t('planner.link'),
        )
      : null,
  );
}

/**
 * The buttons under a popup: the hazard's history for everyone (and the release's, when the popup
 * is a release's), editing and recording for those allowed.
 */
export function popupActions(
  iso3: string,
  hazardId: number,
  releaseId: number | null,
  open: (task: TaskName, id: number) => void,
): HTMLElement {
  const button = (task: TaskName, label: string, id = hazardId) =>
    h(
      'button',
      { type: 'button', class: 'button button-small', 'data-task': task, onclick: () => open(task, id) },
      label,
    );
  return h(
    'div',
    { class: 'popup-actions' },
    releaseId ? button('release-history', t('field.release_history'), releaseId) : null,
    button('history', releaseId ? t('field.hazard_history') : t('field.show_history')),
    canWriteHazards(iso3) ? button('edit', t('field.edit_short')) : null,
    canRecordRelease(iso3) ? button('record', t('field.record_short')) : null,
    canProposeTask(iso3) ? button('propose', t('taskform.propose_short')) : null,
  );
}
