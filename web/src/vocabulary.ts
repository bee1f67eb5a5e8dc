import type { HazardProperties, Method, TaskMethod, TaskStatus } from './api-types.js';
import type { components } from './api-schema.generated.js';

// The vocabulary's values the web app lists (form options, chart series). The server's enumerations
// own them; their types reach this app through the generated API types, and `exactly` makes a
// value missing here, or one the API does not know, a compile error.

/** The values of the union U, each once: a value missing or extra is a compile error. */
const exactly =
  <U extends string>() =>
  <const T extends readonly U[]>(
    values: T & ([U] extends [T[number]] ? unknown : ['missing', Exclude<U, T[number]>]),
  ) =>
    values;

export const CLASSIFICATIONS = exactly<HazardProperties['classification']>()(['SHA', 'CHA']);
export const CONTAMINATION_TYPES = exactly<HazardProperties['contamination'][number]>()([
  'ap_mines',
  'av_mines',
  'cmr',
  'erw',
  'ied',
]);
export const HAZARD_STATUSES = exactly<HazardProperties['status']>()(['open', 'closed', 'handed_over']);
export const RELEASE_METHODS = exactly<Method>()(['cancelled', 'reduced', 'cleared']);
export const ORGANISATION_KINDS = exactly<components['schemas']['Organisation']['kind']>()([
  'national_authority',
  'operator',
  'donor_government',
  'donor_multilateral',
  'un_agency',
  'ngo',
  'other',
]);
export const TASK_STATUSES = exactly<TaskStatus>()([
  'proposed',
  'rejected',
  'approved',
  'ongoing',
  'suspended',
  'completed',
  'cancelled',
]);
export const TASK_METHODS = exactly<TaskMethod>()([
  'non_technical_survey',
  'technical_survey',
  'clearance',
  'eod_spot_task',
]);

export const TEAM_TYPES = exactly<components['schemas']['Team']['type']>()([
  'manual_clearance',
  'mechanical',
  'mdd',
  'nts',
  'ts',
  'eod',
]);
