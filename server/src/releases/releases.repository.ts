import { sql, type Kysely } from 'kysely';
import type { Database, ReleaseMethod, ReleaseStatus } from '../db/database.js';
import type { Actor } from '../auth/actor.js';
import type { ReleaseListQuery } from './releases.schema.js';
import {
  EVERY_COUNTRY,
  type ExactScope,
  generalisedCellKm,
  visibleGeoJson,
} from '../restrictions/restrictions.repository.js';

/** `exact`: the reader's exact-geometry scope; writes and the audit log always see every country. */
function selectReleases(db: Kysely<Database>, exact: ExactScope = EVERY_COUNTRY) {
  return db
    .selectFrom('land_releases as r')
    .innerJoin('hazards as h', 'h.id', 'r.hazard_id')
    .select([
      'r.id',
      'r.hazard_id',
      'h.country_iso3',
      'r.method',
      'r.start_on',
      'r.completed_on',
      'r.organisation_id',
      'r.task_id',
      'r.devices',
      'r.external_ref',
      'r.status',
      'r.reject_reason',
      'r.area_m2',
      'r.clipped_m2',
      'r.version',
      'r.warnings',
      'r.synthetic',
      'r.created_at',
      'r.reviewed_at',
    ])
    .select(visibleGeoJson('r.geom', 'h.country_iso3', exact).as('geometry'))
    .select(generalisedCellKm('h.country_iso3', exact).as('generalised_cell_km'));
}

export type ReleaseRecord = NonNullable<Awaited<ReturnType<typeof findRelease>>>;

export async function findRelease(
  db: Kysely<Database>,
  id: string,
  options: { forUpdate?: boolean; exact?: ExactScope } = {},
) {
  let query = selectReleases(db, options.exact).where('r.id', '=', id);
  if (options.forUpdate) query = query.forUpdate('r');
  return query.executeTakeFirst();
}

/** Releases as a write sees them (findRelease), many at once (the demo loader audits its releases so). */
export async function findReleases(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return selectReleases(db)
    .where('r.id', 'in', [...ids])
    .orderBy('r.id')
    .execute();
}

/**
 * Approved releases are public. Submitted and rejected ones are seen only by those who may act
 * on them: admins, the country's authority, and the operator organisation that submitted them.
 */
function visibleTo(actor: Actor | null) {
  return sql<boolean>`(r.status = 'approved'
    OR ${actor?.role === 'admin'}
    OR (${actor?.role === 'national_authority'} AND h.country_iso3 = ${actor?.country_iso3 ?? null})
    OR (${actor?.role === 'operator'} AND r.organisation_id = ${actor?.organisation_id ?? null}))`;
}

/** The releases of live hazards this reader may see, geometry as the reader's scope allows. */
export function selectVisibleReleases(db: Kysely<Database>, actor: Actor | null, exact: ExactScope) {
  return selectReleases(db, exact).where('h.deleted_at', 'is', null).where(visibleTo(actor));
}

export async function listReleases(
  db: Kysely<Database>,
  filter: ReleaseListQuery,
  actor: Actor | null,
  exact: ExactScope = EVERY_COUNTRY,
) {
  let query = selectVisibleReleases(db, actor, exact)
    .orderBy('r.id')
    .limit(filter.limit + 1);
  if (filter.cursor !== undefined) query = query.where('r.id', '>', String(filter.cursor));
  if (filter.country) query = query.where('h.country_iso3', '=', filter.country);
  if (filter.hazard_id) query = query.where('r.hazard_id', '=', String(filter.hazard_id));
  if (filter.task_id) query = query.where('r.task_id', '=', String(filter.task_id));
  if (filter.method) query = query.where('r.method', '=', filter.method);
  if (filter.status) query = query.where('r.status', '=', filter.status);
  return query.execute();
}

export function isVisible(release: ReleaseRecord, actor: Actor | null): boolean {
  if (release.status === 'approved' || actor?.role === 'admin') return true;
  if (actor?.role === 'national_authority') return actor.country_iso3 === release.country_iso3;
  if (actor?.role === 'operator') return actor.organisation_id === release.organisation_id;
  return false;
}

/** What a release under a task must agree with: the task's organisation, status and hazards. */
export async function findTaskForRelease(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'organisation_id', 'status'])
    .select(sql<string[]>`ARRAY(SELECT hazard_id::text FROM task_hazards WHERE task_id = tasks.id)`.as('hazard_ids'))
    .where('id', '=', taskId)
    .executeTakeFirst();
}

/** A release's land against its hazard (sg_check_release): clipped to it, or rejected; the warnings of the one rule. */
export async function checkRelease(db: Kysely<Database>, ewkb: Buffer, hazardId: string, completedOn: string) {
  const { rows } = await sql<{
    ewkb: Buffer | null;
    area_m2: number;
    clipped_m2: number;
    rejection: string | null;
    warnings: string[];
  }>`
    SELECT ST_AsEWKB(geom) AS ewkb, area_m2, clipped_m2, rejection, warnings
      FROM sg_check_release(ST_GeomFromEWKB(${ewkb}), ${hazardId}, ${completedOn}::date, NULL)`.execute(db);
  return rows[0]!;
}

export async function insertRelease(
  db: Kysely<Database>,
  values: {
    hazard_id: string;
    method: ReleaseMethod;
    start_on: string | null;
    completed_on: string;
    organisation_id: string | null;
    task_id: string | null;
    devices: Record<string, number>;
    external_ref: string | null;
    status: ReleaseStatus;
    ewkb: Buffer;
    area_m2: number;
    clipped_m2: number;
    warnings: string[];
    created_by: string;
    reviewed_by: string | null;
  },
): Promise<string> {
  const { ewkb, devices, reviewed_by, ...rest } = values;
  const row = await db
    .insertInto('land_releases')
    .values({
      ...rest,
      devices: JSON.stringify(devices),
      geom: sql`ST_GeomFromEWKB(${ewkb})`,
      reviewed_by,
      reviewed_at: reviewed_by ? sql`now()` : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setReviewOutcome(
  db: Kysely<Database>,
  id: string,
  outcome: { status: 'approved' | 'rejected'; reason: string | null; reviewerId: string },
): Promise<void> {
  await db
    .updateTable('land_releases')
    .set({
      status: outcome.status,
      reject_reason: outcome.reason,
      reviewed_by: outcome.reviewerId,
      reviewed_at: sql`now()`,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}
