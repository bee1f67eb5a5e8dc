import { ApiError, fieldApi } from '../api.js';
import type { ApiHazardFeature, HazardProperties } from '../api-types-field.js';
import { km2, t } from '../i18n/i18n.js';
import { PolygonDrawing } from '../map/draw.js';
import { debounce, h } from '../ui/dom.js';
import { alertBox, areaPreview, field, select, writeErrorMessage } from '../ui/forms.js';
import { type Task, type TaskContext, hazardLabel, hazardSubject, taskFrame } from './tasks.js';

const CONTAMINATION = ['ap_mines', 'av_mines', 'cmr', 'erw', 'ied'] as const;
const EDITABLE = ['name', 'external_ref', 'classification', 'contamination', 'status', 'recorded_on'] as const;
type Editable = Pick<HazardProperties, (typeof EDITABLE)[number]>;

/** The one polygon Terra Draw can edit; a hazard of several parts keeps its geometry. */
function singlePolygon(geometry: ApiHazardFeature['geometry']): GeoJSON.Polygon | null {
  if (geometry.type === 'Polygon') return geometry;
  return geometry.coordinates.length === 1 ? { type: 'Polygon', coordinates: geometry.coordinates[0]! } : null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Which fields differ between two versions of a hazard: what "someone else changed" means. */
export function changedFields(before: ApiHazardFeature, after: ApiHazardFeature): { field: string; before: unknown; after: unknown }[] {
  const changes: { field: string; before: unknown; after: unknown }[] = EDITABLE.filter((key) => !same(before.properties[key], after.properties[key])).map((key) => ({ field: key, before: before.properties[key], after: after.properties[key] }));
  if (!same(before.geometry, after.geometry)) changes.push({ field: 'geometry', before: null, after: null });
  return changes;
}

const show = (value: unknown) => (value === null || value === undefined || value === '' ? '–' : Array.isArray(value) ? value.join(', ') : String(value));

/**
 * Edit a hazard (authorities): its vertices with Terra Draw, its attributes in a form, the area
 * previewed, the server's warnings from a dry run, saved with If-Match; a 409 lists what the other
 * writer changed and offers to reload.
 */
export function editHazardTask(context: TaskContext, hazardId?: number): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('field.edit_title'), context, body);
  let drawing: PolygonDrawing | null = null;

  const edit = (loaded: ApiHazardFeature) => {
    const original = singlePolygon(loaded.geometry);
    const p = loaded.properties;
    const name = h('input', { type: 'text', id: 'hazard-name', value: p.name ?? '', maxlength: '200' });
    const reference = h('input', { type: 'text', id: 'hazard-reference', value: p.external_ref ?? '', maxlength: '100' });
    const classification = select([['CHA', t('classification.CHA')], ['SHA', t('classification.SHA')]], p.classification, { id: 'hazard-classification' });
    const status = select((['open', 'closed', 'handed_over'] as const).map((s) => [s, t(`hazard_status.${s}`)]), p.status, { id: 'hazard-status' });
    const recordedOn = h('input', { type: 'date', id: 'hazard-recorded', value: p.recorded_on, required: true });
    const boxes = CONTAMINATION.map((c) => h('input', { type: 'checkbox', value: c, checked: p.contamination.includes(c) }));
    const preview = h('p', { id: 'hazard-area-preview', class: 'area-preview', 'aria-live': 'polite' }, areaPreview(original));
    const check = h('div', { id: 'hazard-check', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', id: 'hazard-save', class: 'button button-primary', disabled: true }, t('field.save'));
    const outcome = h('div', { id: 'hazard-outcome', 'aria-live': 'polite' });

    const edited = (): Editable => ({
      name: name.value.trim() || null,
      external_ref: reference.value.trim() || null,
      classification: classification.value as Editable['classification'],
      contamination: boxes.filter((b) => b.checked).map((b) => b.value),
      status: status.value as Editable['status'],
      recorded_on: recordedOn.value,
    });
    const patch = () => {
      const values = edited();
      const properties = Object.fromEntries(EDITABLE.filter((key) => !same(values[key], p[key])).map((key) => [key, values[key]]));
      const polygon = drawing?.polygon();
      const geometry = polygon && original && !same(polygon.coordinates, original.coordinates.map((ring) => ring.map(([x, y]) => [Number(x!.toFixed(9)), Number(y!.toFixed(9))]))) ? polygon : undefined;
      if (!geometry && Object.keys(properties).length === 0) return null;
      return { ...(geometry ? { geometry } : {}), ...(Object.keys(properties).length ? { properties } : {}) };
    };
    const runCheck = async () => {
      save.disabled = true;
      const candidate = patch();
      if (!candidate) return check.replaceChildren(h('p', { class: 'muted' }, t('field.no_changes')));
      const key = JSON.stringify(candidate);
      check.replaceChildren(h('p', { class: 'muted' }, t('field.checking')));
      try {
        const result = await fieldApi.patchHazard(loaded.id, p.version, candidate, true);
        if (JSON.stringify(patch()) !== key) return;
        check.replaceChildren(
          h('h3', {}, t('field.server_check')),
          h('dl', { class: 'facts' }, h('dt', {}, t('field.server_area')), h('dd', { 'data-value': result.properties.area_m2 }, km2(result.properties.area_m2 / 1e6))),
          result.properties.warnings.length ? h('ul', { class: 'warnings' }, ...result.properties.warnings.map((w) => h('li', { lang: 'en', dir: 'ltr' }, w))) : h('p', { class: 'muted' }, t('field.no_warnings')),
        );
        save.disabled = false;
      } catch (error) {
        if (JSON.stringify(patch()) !== key) return;
        check.replaceChildren(conflictOr(error));
      }
    };
    const checkSoon = debounce(() => void runCheck(), 400);
    const changed = () => {
      save.disabled = true;
      checkSoon();
    };

    /** On 409, what changed since this editor loaded, and a way to start again from the current version. */
    const conflictOr = (error: unknown): HTMLElement => {
      if (!(error instanceof ApiError) || error.status !== 409) return alertBox(writeErrorMessage(error));
      const box = h('div', { id: 'edit-conflict', class: 'warning', role: 'alert' }, h('strong', {}, t('field.conflict_title')), ' ', t('field.conflict_text'));
      void fieldApi.hazard(loaded.id).then((current) => {
        const changes = changedFields(loaded, current);
        box.append(
          h('p', {}, t('field.conflict_version', { version: current.properties.version })),
          h('ul', { class: 'changes' }, ...changes.map((c) => h('li', { 'data-field': c.field }, c.field === 'geometry' ? t('field.geometry_changed') : `${c.field}: ${show(c.before)} → ${show(c.after)}`))),
          h('button', { type: 'button', class: 'button', id: 'edit-reload', onclick: () => void open(loaded.id) }, t('field.reload_current')),
        );
      });
      return box;
    };

    for (const input of [name, reference, classification, status, recordedOn, ...boxes]) input.addEventListener('input', changed);
    if (original) {
      drawing = new PolygonDrawing(context.map.map, (polygon) => {
        preview.textContent = areaPreview(polygon);
        changed();
      });
      drawing.setPolygon(original);
    }
    const form = h(
      'form',
      {
        id: 'hazard-form',
        class: 'task-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const candidate = patch();
          if (!candidate) return;
          save.disabled = true;
          try {
            const saved = await fieldApi.patchHazard(loaded.id, p.version, candidate, false);
            context.dataChanged();
            await open(saved.id);
            body.prepend(h('p', { class: 'success', role: 'status' }, t('field.saved', { version: saved.properties.version })));
          } catch (error) {
            outcome.replaceChildren(conflictOr(error));
          }
        },
      },
      h('p', { class: 'muted' }, original ? t('field.edit_help') : t('field.multipart')),
      preview,
      field(t('field.name'), name),
      field(t('field.reference'), reference),
      field(t('popup.classification'), classification),
      h('fieldset', { class: 'checkboxes' }, h('legend', {}, t('popup.contamination')), ...boxes.map((box) => h('label', {}, box, t(`contamination.${box.value}` as 'contamination.cmr')))),
      field(t('popup.status'), status),
      field(t('popup.recorded'), recordedOn),
      check,
      save,
      outcome,
    );
    body.replaceChildren(
      h('p', { class: 'task-subject', 'data-hazard-id': loaded.id, 'data-version': p.version }, t('field.editing', { hazard: hazardLabel(loaded), version: p.version })),
      h('button', { type: 'button', class: 'button button-quiet', onclick: () => context.open('history', loaded.id) }, t('field.show_history')),
      form,
    );
  };

  const subject = hazardSubject(context, body, hazardId, edit);
  // Reloading (after a save or a conflict) drops the drawing of the version being replaced.
  const open = (id: number) => {
    drawing?.destroy();
    drawing = null;
    return subject.load(id);
  };
  return {
    element,
    destroy: () => {
      subject.close();
      drawing?.destroy();
    },
  };
}
