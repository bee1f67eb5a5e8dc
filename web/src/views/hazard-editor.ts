import { ApiError, fieldApi } from '../api.js';
import type { ApiHazardFeature } from '../api-types.js';
import { dateTime, t } from '../i18n/i18n.js';
import { roundCoordinates } from '../map/draw.js';
import { h } from '../ui/dom.js';
import { clearFieldErrors, fieldErrorBox } from '../ui/forms.js';
import { hazardLabel, valueText } from '../ui/format.js';
import { HAZARD_ATTRIBUTES, type HazardAttributes, hazardFields } from './hazard-fields.js';
import { type PolygonInput, polygonInput } from './polygon-input.js';
import { liveCheck } from './server-check.js';
import { type Task, type TaskContext, hazardSubject, taskFrame } from './tasks.js';

/** The one polygon Terra Draw can edit; a hazard of several parts keeps its geometry. */
function singlePolygon(geometry: ApiHazardFeature['geometry']): GeoJSON.Polygon | null {
  if (geometry.type === 'Polygon') return geometry;
  return geometry.coordinates.length === 1 ? { type: 'Polygon', coordinates: geometry.coordinates[0]! } : null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Which fields differ between two versions of a hazard: what "someone else changed" means. */
export function changedFields(
  before: ApiHazardFeature,
  after: ApiHazardFeature,
): { field: string; before: unknown; after: unknown }[] {
  const changes: { field: string; before: unknown; after: unknown }[] = HAZARD_ATTRIBUTES.filter(
    (key) => !same(before.properties[key], after.properties[key]),
  ).map((key) => ({ field: key, before: before.properties[key], after: after.properties[key] }));
  if (!same(before.geometry, after.geometry)) changes.push({ field: 'geometry', before: null, after: null });
  return changes;
}

/**
 * Edit a hazard (authorities): its vertices with Terra Draw, its attributes in a form, the area
 * previewed, the server's warnings from a dry run, saved with If-Match; a 409 lists what the other
 * writer changed and offers to reload.
 */
export function editHazardTask(context: TaskContext, hazardId?: number): Task {
  const body = h('div', { class: 'task-body' });
  const element = taskFrame(t('field.edit_title'), context, body);
  let polygon: PolygonInput | null = null;

  const edit = (loaded: ApiHazardFeature) => {
    const original = singlePolygon(loaded.geometry);
    const p = loaded.properties;
    const check = h('div', { id: 'hazard-check', 'aria-live': 'polite' });
    const save = h(
      'button',
      { type: 'submit', id: 'hazard-save', class: 'button button-primary', disabled: true },
      t('field.save'),
    );
    const outcome = h('div', { id: 'hazard-outcome', 'aria-live': 'polite' });
    const attributes = hazardFields(p, () => live.changed());
    // An untouched outline comes back from the drawing rounded to its precision: that is no change.
    const unchanged = original && roundCoordinates(original);

    const patch = () => {
      const values = attributes.values();
      const properties = Object.fromEntries(
        HAZARD_ATTRIBUTES.filter((key) => !same(values[key], p[key])).map((key) => [key, values[key]]),
      ) as Partial<HazardAttributes>;
      const drawn = polygon?.drawing.polygon();
      const geometry = drawn && !same(drawn.coordinates, unchanged) ? drawn : undefined;
      if (!geometry && Object.keys(properties).length === 0) return null;
      return { ...(geometry ? { geometry } : {}), ...(Object.keys(properties).length ? { properties } : {}) };
    };

    /** On 409, what changed since this editor loaded, and a way to start again from the current version. */
    const conflictOr = (error: unknown): HTMLElement => {
      if (!(error instanceof ApiError) || error.status !== 409) return fieldErrorBox(error, attributes.controls);
      const box = h(
        'div',
        { id: 'edit-conflict', class: 'warning', role: 'alert' },
        h('strong', {}, t('field.conflict_title')),
        ' ',
        t('field.conflict_text'),
      );
      // The history says who saved the version in the way (null where the reader may not know).
      const latest = fieldApi.history('hazards', loaded.id).then(
        (history) => history.versions[0],
        () => undefined,
      );
      void Promise.all([fieldApi.hazard(loaded.id), latest]).then(([current, version]) => {
        const changes = changedFields(loaded, current);
        const by = version?.user
          ? [h('p', {}, t('field.conflict_by', { who: version.user.email, when: dateTime(version.at) }))]
          : [];
        box.append(
          ...by,
          h('p', {}, t('field.conflict_version', { version: current.properties.version })),
          h(
            'ul',
            { class: 'changes' },
            ...changes.map((c) =>
              h(
                'li',
                { 'data-field': c.field },
                c.field === 'geometry'
                  ? t('field.geometry_changed')
                  : `${c.field}: ${valueText(c.before)} → ${valueText(c.after)}`,
              ),
            ),
          ),
          h(
            'button',
            { type: 'button', class: 'button', id: 'edit-reload', onclick: () => void open(loaded.id) },
            t('field.reload_current'),
          ),
        );
      });
      return box;
    };

    const live = liveCheck({
      host: check,
      submit: save,
      candidate: patch,
      dryRun: (candidate) => fieldApi.patchHazard(loaded.id, p.version, candidate, true),
      idle: () => h('p', { class: 'muted' }, t('field.no_changes')),
      failed: conflictOr,
      passed: () => clearFieldErrors(attributes.controls),
    });
    if (original) {
      polygon = polygonInput(context.map.map, 'hazard', live.changed);
      polygon.drawing.setPolygon(original);
    }
    const form = h(
      'form',
      {
        id: 'hazard-form',
        class: 'task-form',
        onsubmit: live.onSubmit(async (candidate) => {
          try {
            const saved = await fieldApi.patchHazard(loaded.id, p.version, candidate, false);
            context.dataChanged();
            await open(saved.id);
            body.prepend(
              h('p', { class: 'success', role: 'status' }, t('field.saved', { version: saved.properties.version })),
            );
          } catch (error) {
            outcome.replaceChildren(conflictOr(error));
          }
        }),
      },
      h('p', { class: 'muted' }, original ? t('field.edit_help') : t('field.multipart')),
      polygon?.preview ?? null,
      ...attributes.elements,
      check,
      save,
      outcome,
    );
    body.replaceChildren(
      h(
        'p',
        { class: 'task-subject', 'data-hazard-id': loaded.id, 'data-version': p.version },
        t('field.editing', { hazard: hazardLabel(p), version: p.version }),
      ),
      h(
        'button',
        { type: 'button', class: 'button button-quiet', onclick: () => context.open('history', loaded.id) },
        t('field.show_history'),
      ),
      form,
    );
  };

  const subject = hazardSubject(context, body, hazardId, edit);
  // Reloading (after a save or a conflict) drops the drawing of the version being replaced.
  const open = (id: number) => {
    polygon?.destroy();
    polygon = null;
    return subject.load(id);
  };
  return {
    element,
    destroy: () => {
      subject.close();
      polygon?.destroy();
    },
  };
}
