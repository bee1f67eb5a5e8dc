import type { ApiHazardFeature, ApiReleaseFeature } from '../api-types-field.js';
import { fieldApi } from '../api.js';
import { km2, t } from '../i18n/i18n.js';
import { PolygonDrawing } from '../map/draw.js';
import { debounce, h } from '../ui/dom.js';
import { alertBox, areaPreview, field, parseCoordinates, select, today, writeErrorMessage } from '../ui/forms.js';
import { type Task, type TaskContext, hazardLabel, hazardSubject, taskFrame } from './tasks.js';

/** The server's verdict on a release before it is saved: its area inside the hazard, what was clipped, warnings. */
export function releaseCheck(release: ApiReleaseFeature): HTMLElement {
  const p = release.properties;
  return h(
    'div',
    { class: 'check-result' },
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('field.server_area')),
      h('dd', { 'data-value': p.area_m2 }, km2(p.area_m2 / 1e6)),
      h('dt', {}, t('field.clipped_area')),
      h('dd', { 'data-value': p.clipped_m2 }, km2(p.clipped_m2 / 1e6)),
    ),
    p.warnings.length
      ? h('ul', { class: 'warnings', 'aria-label': t('field.warnings') }, ...p.warnings.map((w) => h('li', { lang: 'en', dir: 'ltr' }, w)))
      : h('p', { class: 'muted' }, t('field.no_warnings')),
  );
}

/**
 * Record a release: choose the hazard, draw the released polygon (or type its corners), say how and
 * when; the server checks it (dry run) as the user goes, and Submit saves exactly what was checked.
 */
export function recordReleaseTask(context: TaskContext, hazardId?: number): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('field.record_title'), context, body);
  let drawing: PolygonDrawing | null = null;
  let hazard: ApiHazardFeature | null = null;

  const method = select((['cleared', 'reduced', 'cancelled'] as const).map((m) => [m, t(`method.${m}`)]), 'cleared', { id: 'release-method' });
  const startOn = h('input', { type: 'date', id: 'release-start' });
  const completedOn = h('input', { type: 'date', id: 'release-completed', required: true, value: today(), max: today() });
  const reference = h('input', { type: 'text', id: 'release-reference', maxlength: '100', autocomplete: 'off' });
  const coordinates = h('textarea', { id: 'release-coordinates', rows: '5', spellcheck: 'false', dir: 'ltr' });
  const preview = h('p', { id: 'release-area-preview', class: 'area-preview', 'aria-live': 'polite' }, areaPreview(null));
  const check = h('div', { id: 'release-check', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', id: 'release-submit', class: 'button button-primary', disabled: true }, t('field.submit_release'));
  const outcome = h('div', { id: 'release-outcome', 'aria-live': 'polite' });
  let checked: string | null = null;

  const feature = () => {
    const polygon = drawing?.polygon();
    if (!hazard || !polygon || !completedOn.value) return null;
    return {
      type: 'Feature',
      geometry: polygon,
      properties: {
        hazard_id: hazard.id,
        method: method.value,
        completed_on: completedOn.value,
        ...(startOn.value ? { start_on: startOn.value } : {}),
        ...(reference.value.trim() ? { external_ref: reference.value.trim() } : {}),
      },
    };
  };

  const runCheck = async () => {
    const candidate = feature();
    submit.disabled = true;
    checked = null;
    if (!candidate) return check.replaceChildren();
    const key = JSON.stringify(candidate);
    check.replaceChildren(h('p', { class: 'muted' }, t('field.checking')));
    try {
      const result = await fieldApi.createRelease(candidate, true);
      if (JSON.stringify(feature()) !== key) return;
      check.replaceChildren(h('h3', {}, t('field.server_check')), releaseCheck(result));
      checked = key;
      submit.disabled = false;
    } catch (error) {
      if (JSON.stringify(feature()) === key) check.replaceChildren(alertBox(writeErrorMessage(error)));
    }
  };
  const checkSoon = debounce(() => void runCheck(), 400);
  const changed = () => {
    submit.disabled = true;
    checkSoon();
  };
  for (const input of [method, startOn, completedOn, reference]) input.addEventListener('input', changed);

  const form = h(
    'form',
    {
      id: 'release-form',
      class: 'task-form',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const candidate = feature();
        if (!candidate || checked !== JSON.stringify(candidate)) return;
        submit.disabled = true;
        try {
          const saved = await fieldApi.createRelease(candidate, false);
          outcome.replaceChildren(
            h('p', { class: 'success', role: 'status', 'data-release-id': saved.id, 'data-status': saved.properties.status }, saved.properties.status === 'approved' ? t('field.release_approved') : t('field.release_submitted')),
          );
          drawing?.clear();
          check.replaceChildren();
          context.dataChanged();
        } catch (error) {
          outcome.replaceChildren(alertBox(writeErrorMessage(error)));
          submit.disabled = false;
        }
      },
    },
    h('p', { class: 'muted' }, t('field.draw_help')),
    preview,
    h(
      'details',
      { class: 'coordinates' },
      h('summary', {}, t('field.type_corners')),
      field(t('field.corners'), coordinates, t('field.corners_hint')),
      h(
        'button',
        {
          type: 'button',
          class: 'button',
          id: 'release-use-coordinates',
          onclick: () => {
            const polygon = parseCoordinates(coordinates.value);
            if (!polygon || !drawing?.setPolygon(polygon)) outcome.replaceChildren(alertBox(t('field.corners_invalid')));
            else outcome.replaceChildren();
          },
        },
        t('field.use_corners'),
      ),
    ),
    field(t('field.method'), method),
    h('div', { class: 'field-row' }, field(t('field.start_on'), startOn), field(t('field.completed_on'), completedOn)),
    field(t('field.reference'), reference),
    check,
    submit,
    outcome,
  );

  const useHazard = (loaded: ApiHazardFeature) => {
    hazard = loaded;
    drawing = new PolygonDrawing(context.map.map, (polygon) => {
      preview.textContent = areaPreview(polygon);
      changed();
    });
    drawing.startDrawing();
    body.replaceChildren(h('p', { class: 'task-subject', 'data-hazard-id': hazard.id }, t('field.release_from', { hazard: hazardLabel(hazard) })), form);
  };

  const subject = hazardSubject(context, body, hazardId, useHazard);
  return {
    element,
    destroy: () => {
      subject.close();
      drawing?.destroy();
    },
  };
}
