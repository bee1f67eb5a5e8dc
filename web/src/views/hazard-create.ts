import { fieldApi } from '../api.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { clearFieldErrors, fieldErrorBox } from '../ui/forms.js';
import { hazardLabel } from '../ui/format.js';
import { hazardFields, newHazardAttributes } from './hazard-fields.js';
import { polygonInput } from './polygon-input.js';
import { liveCheck } from './server-check.js';
import { type Task, type TaskContext, taskFrame } from './tasks.js';

/**
 * Record a new hazard (authorities): its outline drawn on the map with Terra Draw (or its corners
 * typed), its attributes in the editor's form; the area previewed and the server's checks (dry run)
 * as the user goes. Saving posts exactly what was checked, then the map shows the new hazard.
 */
export function newHazardTask(context: TaskContext): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('field.create_title'), context, body);
  // While drawing, a click on the map places a corner instead of opening a popup.
  context.popups.setEnabled(false);
  const check = h('div', { id: 'new-hazard-check', 'aria-live': 'polite' });
  const save = h(
    'button',
    { type: 'submit', id: 'new-hazard-save', class: 'button button-primary', disabled: true },
    t('field.create_save'),
  );
  const outcome = h('div', { id: 'new-hazard-outcome', 'aria-live': 'polite' });
  const changed = () => live.changed();
  const polygon = polygonInput(context.map.map, 'new-hazard', changed);
  const attributes = hazardFields(newHazardAttributes(), changed);
  const controls = { ...attributes.controls, geometry: { control: polygon.preview, label: t('field.outline') } };

  const feature = () => {
    const geometry = polygon.drawing.polygon();
    return geometry
      ? { type: 'Feature', geometry, properties: { country: context.iso3, ...attributes.values() } }
      : null;
  };
  const live = liveCheck({
    host: check,
    submit: save,
    candidate: feature,
    dryRun: (candidate) => fieldApi.createHazard(candidate, true),
    failed: (error) => fieldErrorBox(error, controls),
    passed: () => clearFieldErrors(controls),
  });

  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    polygon.destroy();
    context.popups.setEnabled(true);
  };

  const form = h(
    'form',
    {
      id: 'new-hazard-form',
      class: 'task-form',
      onsubmit: live.onSubmit(async (candidate) => {
        try {
          const created = await fieldApi.createHazard(candidate, false);
          finish();
          body.replaceChildren(
            h(
              'p',
              { class: 'success', role: 'status', id: 'new-hazard-created', 'data-hazard-id': created.id },
              t('field.created', { hazard: hazardLabel(created.properties), id: created.id }),
            ),
            h(
              'button',
              { type: 'button', class: 'button', id: 'new-hazard-another', onclick: () => context.open('create') },
              t('field.create_another'),
            ),
          );
          // The form was long: bring the outcome into view (and the keyboard with it).
          element.querySelector<HTMLElement>('#task-title')?.focus();
          context.dataChanged({ kind: 'hazard', id: created.id });
        } catch (error) {
          outcome.replaceChildren(fieldErrorBox(error, controls));
          save.disabled = false;
        }
      }),
    },
    h('p', { class: 'muted' }, t('field.create_help')),
    polygon.preview,
    polygon.typedCorners,
    ...attributes.elements,
    check,
    save,
    outcome,
  );
  body.replaceChildren(form);
  polygon.drawing.startDrawing();
  return { element, destroy: finish };
}
