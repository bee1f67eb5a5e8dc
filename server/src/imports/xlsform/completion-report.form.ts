// The completion report as an XLSForm, the form definition KoboToolbox and ODK both load: the
// source of completion-report.xlsx (npm run generate writes it; a test holds the two equal). Its
// names are the ones release imports read (release-reader.ts), and its choices are the release
// methods and device types of the API, so the three cannot drift apart.
import type { ReleaseMethod } from '../../db/database.js';
import { RELEASE_METHODS } from '../../db/enums.js';
import { DEVICE_TYPES } from '../../releases/releases.schema.js';

/** Bump on every change of the form: Kobo and ODK Central tell form versions apart by it. */
export const FORM_VERSION = '2026120201';
export const FORM_ID = 'safeground_completion_report';

export const SURVEY_COLUMNS = [
  'type',
  'name',
  'label',
  'hint',
  'required',
  'constraint',
  'constraint_message',
] as const;
export const CHOICES_COLUMNS = ['list_name', 'name', 'label'] as const;
export const SETTINGS_COLUMNS = ['form_title', 'form_id', 'version', 'instance_name'] as const;

type Row<C extends readonly string[]> = Partial<Record<C[number], string>>;

const METHOD_LABELS: Record<ReleaseMethod, string> = {
  cancelled: 'Cancelled (non-technical survey)',
  reduced: 'Reduced (technical survey)',
  cleared: 'Cleared (clearance to the required depth)',
};

const DEVICE_LABELS: Record<(typeof DEVICE_TYPES)[number], string> = {
  ap_mine: 'Anti-personnel mines',
  av_mine: 'Anti-vehicle mines',
  submunition: 'Submunitions',
  uxo: 'Unexploded ordnance (UXO)',
  axo: 'Abandoned explosive ordnance (AXO)',
  ied: 'Improvised explosive devices (IED)',
  other: 'Other devices',
};

const COUNT = { constraint: '. >= 0', constraint_message: 'A count of devices: 0 or more' };

export const SURVEY: Row<typeof SURVEY_COLUMNS>[] = [
  { type: 'start', name: 'start' },
  { type: 'end', name: 'end' },
  {
    type: 'text',
    name: 'hazard_ref',
    label: 'Hazard reference',
    hint: 'The reference of the hazard as the national authority recorded it',
    required: 'yes',
    constraint: 'string-length(.) <= 100',
    constraint_message: 'At most 100 characters',
  },
  {
    type: 'select_one method',
    name: 'method',
    label: 'Release method',
    required: 'yes',
  },
  {
    type: 'date',
    name: 'start_on',
    label: 'Work started on',
    constraint: '. <= today()',
    constraint_message: 'Not in the future',
  },
  {
    type: 'date',
    name: 'completed_on',
    label: 'Completed on',
    required: 'yes',
    constraint: ". <= today() and (${start_on} = '' or . >= ${start_on})",
    constraint_message: 'Not in the future, and not before the work started',
  },
  { type: 'begin_group', name: 'devices', label: 'Devices found and destroyed' },
  ...DEVICE_TYPES.map((type) => ({ type: 'integer', name: type, label: DEVICE_LABELS[type], ...COUNT })),
  { type: 'end_group', name: 'devices' },
  {
    type: 'geoshape',
    name: 'released_area',
    label: 'Released area',
    hint: 'Walk or trace the boundary of the land released',
    required: 'yes',
  },
];

export const CHOICES: Row<typeof CHOICES_COLUMNS>[] = RELEASE_METHODS.map((method) => ({
  list_name: 'method',
  name: method,
  label: METHOD_LABELS[method],
}));

export const SETTINGS: Row<typeof SETTINGS_COLUMNS>[] = [
  {
    form_title: 'Safeground completion report',
    form_id: FORM_ID,
    version: FORM_VERSION,
    instance_name: "concat(${hazard_ref}, ' ', ${method}, ' ', ${completed_on})",
  },
];

/** The three sheets as rows of text, header first, in the order of their columns. */
export function sheets(): Record<'survey' | 'choices' | 'settings', string[][]> {
  const table = <C extends readonly string[]>(columns: C, rows: Row<C>[]) => [
    [...columns],
    ...rows.map((row) => columns.map((column) => row[column as C[number]] ?? '')),
  ];
  return {
    survey: table(SURVEY_COLUMNS, SURVEY),
    choices: table(CHOICES_COLUMNS, CHOICES),
    settings: table(SETTINGS_COLUMNS, SETTINGS),
  };
}
