import type { Insertable, Selectable, Updateable } from 'kysely';
import type * as Schema from './schema.generated.js';

// The database types are generated from the migrated schema (schema.generated.ts, written by
// `npm run generate`, checked for drift by a test); this file only gives them the names the code
// uses. Dates are 'YYYY-MM-DD' strings (pool.ts), bigint ids strings, PostGIS geometries the hex
// EWKB pg returns: they are only ever read or written through PostGIS functions in `sql` templates.

export type Database = Schema.DB;

export type Classification = Schema.HazardClassification;
export type Contamination = Schema.ContaminationType;
export type HazardStatus = Schema.HazardStatus;
export type ReleaseMethod = Schema.ReleaseMethod;
export type ReleaseStatus = Schema.ReleaseStatus;
export type OrganisationKind = Schema.OrganisationKind;
export type UserRole = Schema.UserRole;
export type Treaty = Schema.Treaty;
export type ObligationStatus = Schema.ObligationStatus;
export type SourceConfidence = Schema.SourceConfidence;
export type FigureContamination = Schema.FigureContamination;

export type UserRow = Selectable<Schema.Users>;
export type NewUser = Insertable<Schema.Users>;
export type HazardRow = Selectable<Schema.Hazards>;
export type HazardUpdate = Updateable<Schema.Hazards>;
export type ReleaseRow = Selectable<Schema.LandReleases>;
export type ObligationRow = Selectable<Schema.Obligations>;
