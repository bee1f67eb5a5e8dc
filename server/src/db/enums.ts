import type * as Schema from './schema.generated.js';

// The vocabulary as values, from which the zod schemas (and through the OpenAPI document the web
// app) take their enumerations. Where SQL declares an enum type, the database owns it: the
// generated type is the set of values, each list here must hold exactly that set (a compile error
// otherwise) and tests/integration/enums.test.ts checks the order against pg_enum. Where SQL
// declares a CHECK (... IN (...)) on a text column, the list here owns the type that
// schema.generated.ts gives the column, and the same test checks the constraint agrees.

/** The values of the union U, each once, in order: anything missing or extra is a compile error. */
const exactly =
  <U extends string>() =>
  <const T extends readonly U[]>(
    values: T & ([U] extends [T[number]] ? unknown : ['missing', Exclude<U, T[number]>]),
  ) =>
    values;

export const CLASSIFICATIONS = exactly<Schema.HazardClassification>()(['SHA', 'CHA']);
export const CONTAMINATION_TYPES = exactly<Schema.ContaminationType>()(['ap_mines', 'av_mines', 'cmr', 'erw', 'ied']);
export const HAZARD_STATUSES = exactly<Schema.HazardStatus>()(['open', 'closed', 'handed_over']);
export const RELEASE_METHODS = exactly<Schema.ReleaseMethod>()(['cancelled', 'reduced', 'cleared']);
export const RELEASE_STATUSES = exactly<Schema.ReleaseStatus>()(['submitted', 'approved', 'rejected']);
export const ORGANISATION_KINDS = exactly<Schema.OrganisationKind>()([
  'national_authority',
  'operator',
  'donor_government',
  'donor_multilateral',
  'un_agency',
  'ngo',
  'other',
]);
export const USER_ROLES = exactly<Schema.UserRole>()(['admin', 'national_authority', 'operator', 'donor', 'viewer']);
export const TREATIES = exactly<Schema.Treaty>()(['CCM', 'APMBC']);
export const OBLIGATION_STATUSES = exactly<Schema.ObligationStatus>()([
  'in_progress',
  'completed',
  'not_applicable',
  'declared_completed_then_new_contamination',
]);
export const SOURCE_CONFIDENCES = exactly<Schema.SourceConfidence>()(['verified', 'recalled']);
export const FIGURE_CONTAMINATIONS = exactly<Schema.FigureContamination>()(['ap_mines', 'cmr', 'erw', 'all']);
export const GRANT_STATUSES = exactly<Schema.GrantStatus>()(['pledged', 'committed', 'disbursed']);
export const GRANT_VISIBILITIES = exactly<Schema.GrantVisibility>()(['public', 'coalition']);
export const GRANT_TRANSACTION_TYPES = exactly<Schema.GrantTransactionType>()(['commitment', 'disbursement']);
export const TASK_METHODS = exactly<Schema.TaskMethod>()([
  'non_technical_survey',
  'technical_survey',
  'clearance',
  'eod_spot_task',
]);
export const TASK_STATUSES = exactly<Schema.TaskStatus>()([
  'proposed',
  'rejected',
  'approved',
  'ongoing',
  'suspended',
  'completed',
  'cancelled',
]);
export const FUNDER_KINDS = exactly<Schema.FunderKind>()(['donor', 'donor_public', 'grant', 'pool', 'unattributed']);
export const TEAM_TYPES = exactly<Schema.TeamType>()(['manual_clearance', 'mechanical', 'mdd', 'nts', 'ts', 'eod']);

/** SQL enum type → its values here. */
export const SQL_ENUMS = {
  hazard_classification: CLASSIFICATIONS,
  contamination_type: CONTAMINATION_TYPES,
  hazard_status: HAZARD_STATUSES,
  release_method: RELEASE_METHODS,
  release_status: RELEASE_STATUSES,
  organisation_kind: ORGANISATION_KINDS,
  user_role: USER_ROLES,
  treaty: TREATIES,
  obligation_status: OBLIGATION_STATUSES,
  source_confidence: SOURCE_CONFIDENCES,
  figure_contamination: FIGURE_CONTAMINATIONS,
  grant_status: GRANT_STATUSES,
  grant_visibility: GRANT_VISIBILITIES,
  grant_transaction_type: GRANT_TRANSACTION_TYPES,
  task_method: TASK_METHODS,
  task_status: TASK_STATUSES,
  funder_kind: FUNDER_KINDS,
  team_type: TEAM_TYPES,
} as const;

export const IMPORT_STATUSES = [
  'receiving',
  'validating',
  'ready',
  'invalid',
  'committing',
  'committed',
  'commit_failed',
] as const;
export const IMPORT_OUTCOMES = ['ok', 'repaired', 'rejected'] as const;
export const IMPORT_KINDS = ['hazards', 'releases'] as const;
export const DIM_KINDS = ['all', 'contamination', 'province'] as const;

export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];
export type ImportKind = (typeof IMPORT_KINDS)[number];
export type DimKind = (typeof DIM_KINDS)[number];

/** `table.column` with a CHECK (column IN (...)) → its values here, and the type the generated schema gives it. */
export const CHECKED_COLUMNS = {
  'imports.status': { values: IMPORT_STATUSES, type: 'ImportStatus' },
  'imports.kind': { values: IMPORT_KINDS, type: 'ImportKind' },
  'import_features.outcome': { values: IMPORT_OUTCOMES, type: 'ImportOutcome' },
  'area_cluster_days.dim_kind': { values: DIM_KINDS, type: 'DimKind' },
  'area_country_days.dim_kind': { values: DIM_KINDS, type: 'DimKind' },
} as const;
