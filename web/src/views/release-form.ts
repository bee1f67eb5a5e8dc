import type { ApiHazardFeature } from '../api-types.js';
import { fieldApi } from '../api.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, field, select, today, writeErrorMessage } from '../ui/forms.js';
import { hazardLabel } from '../ui/format.js';
import { type PolygonInput, polygonInput } from './polygon-input.js';
import { liveCheck } from './server-check.js';
import { RELEASE_METHODS } from '../vocabulary.js';
import { type Task, type TaskContext, hazardSubject, taskFrame } from './tasks.js';

/**
 * Record a release: choose the hazard, draw the released polygon (or type its corners), say how and
 * when; the server checks it (dry run) as the user goes, and Submit saves exactly what was checked.
 */
export function recordReleaseTask(context: TaskContext, hazardId?: number): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('field.record_title'), context, body);
  let polygon: PolygonInput | null = null;
  let hazard: ApiHazardFeature | null = null;

  const method = select(
    [...RELEASE_METHODS].reverse().map((m) => [m, t(`method.${m}`)]),
    'cleared',
    { id: 'release-method' },
  );
  const startOn = h('input', { type: 'date', id: 'release-start' });
  const completedOn = h('input', {
    type: 'date',
    id: 'release-completed',
    required: true,
    value: today(),
    max: today(),
  });
  const reference = h('input', { type: 'text', id: 'release-reference', maxlength: '100', autocomplete: 'off' });
  const check = h('div', { id: 'release-check', 'aria-live': 'polite' });
  const submit = h(
    'button',
    { type: 'submit', id: 'release-submit', class: 'button button-primary', disabled: true },
    t('field.submit_release'),
  );
  const outcome = h('div', { id: 'release-outcome', 'aria-live': 'polite' });

  const feature = () => {
    const geometry = polygon?.drawing.polygon();
    if (!hazard || !geometry || !completedOn.value) return null;
    return {
      type: 'Feature',
      geometry,
      properties: {
        hazard_id: hazard.id,
        method: method.value,
        completed_on: completedOn.value,
        ...(startOn.value ? { start_on: startOn.value } : {}),
        ...(reference.value.trim() ? { external_ref: reference.value.trim() } : {}),
      },
    };
  };
  const live = liveCheck({
    host: check,
    submit,
    candidate: feature,
    dryRun: (candidate) => fieldApi.createRelease(candidate, true),
  });
  for (const input of [method, startOn, completedOn, reference]) input.addEventListener('input', live.changed);

  const form = (input: PolygonInput) =>
    h(
      'form',
      {
        id: 'release-form',
        class: 'task-form',
        onsubmit: live.onSubmit(async (candidate) => {
          try {
            const saved = await fieldApi.createRelease(candidate, false);
            outcome.replaceChildren(
              h(
                'p',
                {
                  class: 'success',
                  role: 'status',
                  'data-release-id': saved.id,
                  'data-status': saved.properties.status,
                },
                saved.properties.status === 'approved' ? t('field.release_approved') : t('field.release_submitted'),
              ),
            );
            input.drawing.clear();
            check.replaceChildren();
            context.dataChanged();
          } catch (error) {
            outcome.replaceChildren(alertBox(writeErrorMessage(error)));
            submit.disabled = false;
          }
        }),
      },
      h('p', { class: 'muted' }, t('field.draw_help')),
      input.preview,
      input.typedCorners,
      field(t('field.method'), method),
      h(
        'div',
        { class: 'field-row' },
        field(t('field.start_on'), startOn),
        field(t('field.completed_on'), completedOn),
      ),
      field(t('field.reference'), reference),
      check,
      submit,
      outcome,
    );

  const useHazard = (loaded: ApiHazardFeature) => {
    hazard = loaded;
    polygon = polygonInput(context.map.map, 'release', live.changed);
    polygon.drawing.startDrawing();
    body.replaceChildren(
      h(
        'p',
        { class: 'task-subject', 'data-hazard-id': hazard.id },
        t('field.release_from', { hazard: hazardLabel(hazard.properties) }),
      ),
      form(polygon),
    );
  };

  const subject = hazardSubject(context, body, hazardId, useHazard);
  return {
    element,
    destroy: () => {
      subject.close();
      polygon?.destroy();
    },
  };
}
