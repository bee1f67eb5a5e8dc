import type { HazardProperties } from '../api-types.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { type FieldControls, field, select, today } from '../ui/forms.js';
import { CLASSIFICATIONS, CONTAMINATION_TYPES, HAZARD_STATUSES } from '../vocabulary.js';

const PRIORITIES = [1, 2, 3, 4, 5] as const;

/** The attributes an authority sets on a hazard (the server computes the rest). */
export const HAZARD_ATTRIBUTES = [
  'name',
  'external_ref',
  'classification',
  'contamination',
  'status',
  'recorded_on',
  'priority',
] as const;
export type HazardAttributes = Pick<HazardProperties, (typeof HAZARD_ATTRIBUTES)[number]>;

/** A new hazard's starting values: suspected, open, recorded today; its contamination left for the user to say. */
export const newHazardAttributes = (): HazardAttributes => ({
  name: null,
  external_ref: null,
  classification: 'SHA',
  contamination: [],
  status: 'open',
  recorded_on: today(),
  priority: null,
});

export interface HazardFields {
  /** The labelled inputs, in form order. */
  elements: HTMLElement[];
  values: () => HazardAttributes;
  /** Each attribute's control and label, to mark the fields a refused write names. */
  controls: FieldControls;
}

/** A hazard's attribute inputs (the editor and the new-hazard task), starting from `initial`; `changed` hears every input. */
export function hazardFields(initial: HazardAttributes, changed: () => void): HazardFields {
  const name = h('input', { type: 'text', id: 'hazard-name', value: initial.name ?? '', maxlength: '200' });
  const reference = h('input', {
    type: 'text',
    id: 'hazard-reference',
    value: initial.external_ref ?? '',
    maxlength: '100',
    autocomplete: 'off',
  });
  const classification = select(
    [...CLASSIFICATIONS].reverse().map((c) => [c, t(`classification.${c}`)]),
    initial.classification,
    { id: 'hazard-classification' },
  );
  const status = select(
    HAZARD_STATUSES.map((s) => [s, t(`hazard_status.${s}`)]),
    initial.status,
    { id: 'hazard-status' },
  );
  const recordedOn = h('input', {
    type: 'date',
    id: 'hazard-recorded',
    value: initial.recorded_on,
    required: true,
    max: today(),
  });
  // The authority's priority class, 1 most urgent; empty when not yet assessed.
  const priority = select(
    [['', t('priority.none')], ...PRIORITIES.map((p): [string, string] => [String(p), t(`priority.${p}`)])],
    initial.priority === null ? '' : String(initial.priority),
    { id: 'hazard-priority' },
  );
  const boxes = CONTAMINATION_TYPES.map((c) =>
    h('input', { type: 'checkbox', value: c, 'data-contamination': c, checked: initial.contamination.includes(c) }),
  );
  const contamination = h(
    'fieldset',
    { class: 'checkboxes', id: 'hazard-contamination' },
    h('legend', {}, t('popup.contamination')),
    ...boxes.map((box) => h('label', {}, box, t(`contamination.${box.value}` as 'contamination.cmr'))),
  );
  for (const input of [name, reference, classification, status, recordedOn, priority, ...boxes])
    input.addEventListener('input', changed);
  return {
    elements: [
      field(t('field.name'), name),
      field(t('field.reference'), reference),
      field(t('popup.classification'), classification),
      contamination,
      field(t('popup.status'), status),
      field(t('popup.recorded'), recordedOn),
      field(t('popup.priority'), priority, t('priority.hint')),
    ],
    values: () => ({
      name: name.value.trim() || null,
      external_ref: reference.value.trim() || null,
      classification: classification.value as HazardAttributes['classification'],
      contamination: boxes.filter((b) => b.checked).map((b) => b.value as HazardAttributes['contamination'][number]),
      status: status.value as HazardAttributes['status'],
      recorded_on: recordedOn.value,
      priority: priority.value === '' ? null : Number(priority.value),
    }),
    controls: {
      name: { control: name, label: t('field.name') },
      external_ref: { control: reference, label: t('field.reference') },
      classification: { control: classification, label: t('popup.classification') },
      contamination: { control: contamination, label: t('popup.contamination') },
      status: { control: status, label: t('popup.status') },
      recorded_on: { control: recordedOn, label: t('popup.recorded') },
      priority: { control: priority, label: t('popup.priority') },
    },
  };
}
