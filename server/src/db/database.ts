import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// Table interfaces for kysely, mirroring sql/migrations. Geometry columns are typed as unknown:
// they are only ever read or written through PostGIS functions in `sql` templates.

export type Classification = 'SHA' | 'CHA';
export type Contamination = 'ap_mines' | 'av_mines' | 'cmr' | 'erw' | 'ied';
export type HazardStatus = 'open' | 'closed' | 'handed_over';
export type ReleaseMethod = 'cancelled' | 'reduced' | 'cleared';
export type ReleaseStatus = 'submitted' | 'approved' | 'rejected';
export type OrganisationKind = 'national_authority' | 'operator' | 'donor' | 'other';
export type UserRole = 'admin' | 'national_authority' | 'operator' | 'donor' | 'viewer';
export type Treaty = 'CCM' | 'APMBC';
export type ObligationStatus = 'in_progress' | 'completed' | 'not_applicable' | 'declared_completed_then_new_contamination';
export type SourceConfidence = 'verified' | 'recalled';
export type FigureContamination = 'ap_mines' | 'cmr' | 'erw' | 'all';
export type DimKind = 'all' | 'contamination' | 'province';

type Geometry = unknown;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateColumn = ColumnType<string, string, string>;
/** pg returns bigint as string; ids stay strings in TypeScript and become numbers at the API edge. */
type BigId = string;
type Numeric = ColumnType<string | null, string | number | null, string | number | null>;

export interface GeodataVersionsTable {
  dataset: string;
  version: string;
  loaded_at: Generated<Date>;
}

export interface CountriesTable {
  iso3: string;
  name: string;
  geom: Geometry;
}

export interface ProvincesTable {
  code: string;
  country_iso3: string;
  name: string;
  geom: Geometry;
}

export interface OrganisationsTable {
  id: Generated<BigId>;
  name: string;
  kind: OrganisationKind;
  country_iso3: string | null;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<BigId>;
  email: string;
  password_hash: string;
  role: UserRole;
  country_iso3: string | null;
  organisation_id: BigId | null;
  disabled_at: Date | null;
  created_at: Generated<Date>;
  // sql/migrations/0006_hardening.sql
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  password_changed_at: Timestamp | null;
}

export interface SessionsTable {
  id_hash: Buffer;
  user_id: BigId;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<BigId>;
  user_id: BigId;
  name: string;
  token_hash: Buffer;
  created_at: Generated<Date>;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface HazardsTable {
  id: Generated<BigId>;
  country_iso3: string;
  classification: Classification;
  contamination: ColumnType<Contamination[], Contamination[], Contamination[]>;
  status: Generated<HazardStatus>;
  recorded_on: DateColumn;
  external_ref: string | null;
  name: string | null;
  geom: Geometry;
  area_m2: number;
  remaining_geom: Geometry | null;
  remaining_m2: number;
  cluster_id: BigId | null;
  warnings: Generated<string[]>;
  synthetic: Generated<boolean>;
  version: Generated<number>;
  created_by: BigId | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Timestamp | null;
}

export interface LandReleasesTable {
  id: Generated<BigId>;
  hazard_id: BigId;
  method: ReleaseMethod;
  start_on: DateColumn | null;
  completed_on: DateColumn;
  organisation_id: BigId | null;
  devices: ColumnType<Record<string, number>, string, string>;
  status: ReleaseStatus;
  reject_reason: string | null;
  geom: Geometry;
  area_m2: number;
  clipped_m2: Generated<number>;
  external_ref: string | null;
  warnings: Generated<string[]>;
  synthetic: Generated<boolean>;
  version: Generated<number>;
  created_by: BigId | null;
  reviewed_by: BigId | null;
  reviewed_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ObligationsTable {
  id: Generated<BigId>;
  country_iso3: string;
  treaty: Treaty;
  article: number;
  entry_into_force: DateColumn;
  original_deadline: DateColumn;
  current_deadline: DateColumn | null;
  status: ObligationStatus;
  completed_on: string | null;
  source: string;
  confidence: SourceConfidence;
  confirmed_by: BigId | null;
  confirmed_at: Timestamp | null;
  /** Set by every API write; the geodata loader leaves such rows alone. */
  updated_by: BigId | null;
  updated_at: Timestamp | null;
}

export interface ObligationExtensionsTable {
  id: Generated<BigId>;
  obligation_id: BigId;
  meeting: string;
  new_deadline: DateColumn;
  granted_on: DateColumn | null;
  source: string | null;
  /** NULL for extensions loaded from geodata/obligations.csv. */
  created_by: BigId | null;
  created_at: Timestamp | null;
}

export interface ObligationRequestsTable {
  id: Generated<BigId>;
  obligation_id: BigId;
  requested_deadline: DateColumn | null;
  submitted: string | null;
  meeting: string;
  decision: string;
  source: string;
  confidence: SourceConfidence;
  /** Set when a user recorded the outcome; the geodata loader leaves such rows alone. */
  resolved_by: BigId | null;
  resolved_at: Timestamp | null;
}

export interface ReportedFiguresTable {
  id: Generated<BigId>;
  country_iso3: string;
  year: number;
  contamination: FigureContamination;
  remaining_km2: Numeric;
  cancelled_km2: Numeric;
  reduced_km2: Numeric;
  cleared_km2: Numeric;
  source: string;
  confidence: SourceConfidence;
}

export interface AuditLogTable {
  id: Generated<BigId>;
  user_id: BigId | null;
  action: string;
  entity: string;
  entity_id: string;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string | null, string | null>;
  at: Generated<Date>;
}

interface AreaDayColumns {
  day: DateColumn;
  dim_kind: DimKind;
  dim_key: string;
  found_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  /** Live hazards recorded that day, and how many of them are synthetic ('all' rows only; 0 elsewhere). */
  hazards: number;
  synthetic_hazards: number;
}

export interface AreaClustersTable {
  id: BigId;
  country_iso3: string;
}

export interface AreaClusterDaysTable extends AreaDayColumns {
  cluster_id: BigId;
}

export interface AreaCountryDaysTable extends AreaDayColumns {
  country_iso3: string;
}

export interface Database {
  geodata_versions: GeodataVersionsTable;
  countries: CountriesTable;
  provinces: ProvincesTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  hazards: HazardsTable;
  land_releases: LandReleasesTable;
  obligations: ObligationsTable;
  obligation_extensions: ObligationExtensionsTable;
  obligation_requests: ObligationRequestsTable;
  reported_figures: ReportedFiguresTable;
  audit_log: AuditLogTable;
  area_clusters: AreaClustersTable;
  area_cluster_days: AreaClusterDaysTable;
  area_country_days: AreaCountryDaysTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type HazardRow = Selectable<HazardsTable>;
export type HazardUpdate = Updateable<HazardsTable>;
export type ReleaseRow = Selectable<LandReleasesTable>;
export type ObligationRow = Selectable<ObligationsTable>;
