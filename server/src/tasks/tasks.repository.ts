import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { TaskMethod, TaskStatus } from '../db/schema.generated.js';
import { RECORDED_DIGITS } from '../geo/coordinates.js';
import {
  EVERY_COUNTRY,
  type ExactScope,
  generalisedCellKm,
  visibleGeoJson,
} from '../restrictions/restrictions.repository.js';
import { type CoalitionScope, EVERYTHING } from '../shared/coalition-scope.js';
import type { TaskListQuery } from './tasks.schema.js';

/** How a reader sees tasks: restricted countries' exact polygons (exact) and coalition detail (coalition). */
export interface Reader {
  exact: ExactScope;
  coalition: CoalitionScope;
}

/** Writes and the audit log: every country exactly, every grant, coordinates at full precision. */
export const WRITER: Reader = { exact: EVERY_COUNTRY, coalition: EVERYTHING };

interface Ref {
  id: number;
  name: string;
  acronym: string | null;
}

export const scopeArgs = (c: CoalitionScope) => sql`${c.org}::bigint, ${c.governs}::text[]`;

/** The tasks this reader may see (sg_task_visible), geometry and grants as the reader's scope allows. */
export function selectTasks(db: Kysely<Database>, reader: Reader, digits?: number) {
  const c = reader.coalition;
  const visibleGrant = sql`sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id, ${scopeArgs(c)})`;
  return db
    .selectFrom('tasks as t')
    .innerJoin('organisations as o', 'o.id', 't.organisation_id')
    .select([
      't.id',
      't.country_iso3',
      't.organisation_id',
      'o.name as organisation_name',
      'o.acronym as organisation_acronym',
      't.method',
      't.team',
      't.team_id',
      't.planned_start',
      't.planned_end',
      't.actual_start',
      't.actual_end',
      't.status',
      't.area_m2',
      't.acknowledged_overlaps',
      't.decision_reason',
      't.decided_at',
      't.version',
      't.created_at',
      't.updated_at',
    ])
    .select(sql<boolean>`t.work_geom IS NOT NULL`.as('work_polygon'))
    .select(visibleGeoJson('t.geom', 't.country_iso3', reader.exact, digits).as('geometry'))
    .select(generalisedCellKm('t.country_iso3', reader.exact).as('generalised_cell_km'))
    .select(
      sql<
        number[]
      >`ARRAY(SELECT th.hazard_id::float8 FROM task_hazards th WHERE th.task_id = t.id ORDER BY th.hazard_id)`.as(
        'hazard_ids',
      ),
    )
    .select(
      sql<Array<{ grant_id: number; share: number; donor: Ref }>>`coalesce((
        SELECT json_agg(json_build_object('grant_id', g.id, 'share', tf.share,
                 'donor', json_build_object('id', d.id, 'name', d.name, 'acronym', d.acronym)) ORDER BY g.id)
          FROM task_funding tf JOIN grants g ON g.id = tf.grant_id JOIN organisations d ON d.id = g.donor_id
         WHERE tf.task_id = t.id AND ${visibleGrant}), '[]'::json)`.as('funding'),
    )
    .select(
      sql<number>`coalesce((SELECT sum(tf.share) FROM task_funding tf JOIN grants g ON g.id = tf.grant_id
                             WHERE tf.task_id = t.id AND NOT ${visibleGrant}), 0)::float8`.as('funding_withheld_share'),
    )
    .where(sql<boolean>`sg_task_visible(t.status, t.country_iso3, t.organisation_id, ${scopeArgs(c)})`);
}

export type TaskRecord = NonNullable<Awaited<ReturnType<typeof findTask>>>;

export async function findTask(db: Kysely<Database>, id: string, reader: Reader) {
  return selectTasks(db, reader).where('t.id', '=', id).executeTakeFirst();
}

/** A task as a write returns and audits it: exact, every grant, coordinates at full precision. */
export async function findTaskForWrite(db: Kysely<Database>, id: string) {
  return selectTasks(db, WRITER, RECORDED_DIGITS).where('t.id', '=', id).executeTakeFirst();
}

export async function listTasks(db: Kysely<Database>, filter: TaskListQuery, reader: Reader) {
  let query = selectTasks(db, reader)
    .orderBy('t.id')
    .limit(filter.limit + 1);
  if (filter.cursor !== undefined) query = query.where('t.id', '>', String(filter.cursor));
  if (filter.country) query = query.where('t.country_iso3', '=', filter.country);
  if (filter.organisation) query = query.where('t.organisation_id', '=', String(filter.organisation));
  if (filter.status) query = query.where('t.status', '=', filter.status);
  if (filter.donor) {
    // As the tasks tile layer filters by donor: through the grants of the donor this reader may see.
    const c = reader.coalition;
    query = query.where(
      sql<boolean>`EXISTS (SELECT 1 FROM task_funding tf JOIN grants g ON g.id = tf.grant_id AND g.deleted_at IS NULL
                    WHERE tf.task_id = t.id AND g.donor_id = ${String(filter.donor)}::bigint
                      AND sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id, ${scopeArgs(c)}))`,
    );
  }
  return query.execute();
}

/** The columns a write checks, the row locked. */
export async function lockTaskHeader(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'country_iso3', 'organisation_id', 'team_id', 'status', 'version', 'updated_at'])
    .select(sql<Buffer | null>`ST_AsEWKB(work_geom)`.as('work_ewkb'))
    .select(sql<number[]>`ARRAY(SELECT hazard_id::float8 FROM task_hazards WHERE task_id = tasks.id)`.as('hazard_ids'))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Task writes in one country take turns (a transaction-scoped advisory lock), so that two
 * proposals cannot each pass the overlap check without seeing the other.
 */
export async function lockCountryTasks(db: Kysely<Database>, iso3: string): Promise<void> {
  await sql`SELECT sg_lock_country_tasks(ARRAY[${iso3}]::text[])`.execute(db);
}

export async function findHazards(db: Kysely<Database>, ids: number[]) {
  const { rows } = await sql<{ id: string; country_iso3: string }>`
    SELECT id, country_iso3 FROM hazards WHERE id = ANY(${ids.map(String)}::bigint[]) AND deleted_at IS NULL`.execute(
    db,
  );
  return rows;
}

export async function findOrganisation(db: Kysely<Database>, id: string) {
  return db.selectFrom('organisations').select(['id', 'name', 'acronym']).where('id', '=', id).executeTakeFirst();
}

export async function findOrganisations(db: Kysely<Database>, ids: string[]): Promise<Map<string, Ref>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'name', 'acronym']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { id: Number(r.id), name: r.name, acronym: r.acronym }]));
}

export async function findGrants(db: Kysely<Database>, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('grants')
    .select(['id', 'recipient_id', 'country_iso3', 'deleted_at'])
    .where('id', 'in', ids.map(String))
    .execute();
}

/**
 * Where the task works. A drawn work polygon: clipped to the union of its hazards whole (with the
 * area that lay outside them), so that released land under it is reported. Without one: the union
 * of its hazards' remaining geometry, which the area engine keeps inside every write with the one
 * remainder rule (sg_hazard_remainder: the hazard less its approved releases), so that a task does
 * not claim land already released. Geodesic area.
 */
export async function taskGeometry(db: Kysely<Database>, hazardIds: number[], work: Buffer | null) {
  const { rows } = await sql<{ ewkb: Buffer | null; area_m2: number; outside_m2: number }>`
    WITH w AS (SELECT ST_GeomFromEWKB(${work}::bytea) AS g),
    u AS (SELECT sg_polygonal(ST_Union(CASE WHEN w.g IS NULL THEN h.remaining_geom ELSE h.geom END)) AS g
            FROM hazards h, w WHERE h.id = ANY(${hazardIds.map(String)}::bigint[]))
    SELECT ST_AsEWKB(x.g) AS ewkb, sg_geodesic_area(x.g) AS area_m2,
           CASE WHEN w.g IS NULL THEN 0 ELSE sg_geodesic_area(sg_polygonal(ST_Difference(w.g, u.g))) END AS outside_m2
      FROM u, w
     CROSS JOIN LATERAL (SELECT CASE WHEN w.g IS NULL THEN u.g
                                     WHEN ST_CoveredBy(w.g, u.g) THEN w.g
                                     ELSE sg_polygonal(ST_Intersection(w.g, u.g)) END AS g) x`.execute(db);
  return rows[0]!;
}

/** The given hazards with nothing left to release: their approved releases cover them whole. */
export async function exhaustedHazards(db: Kysely<Database>, hazardIds: number[]): Promise<number[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM hazards
     WHERE id = ANY(${hazardIds.map(String)}::bigint[])
       AND (remaining_geom IS NULL OR ST_IsEmpty(remaining_geom) OR remaining_m2 <= 0)
     ORDER BY id`.execute(db);
  return rows.map((row) => Number(row.id));
}

export interface TaskValues {
  method: TaskMethod;
  team: string | null;
  team_id: string | null;
  planned_start: string;
  planned_end: string;
  actual_start: string | null;
  actual_end: string | null;
}

export async function insertTask(
  db: Kysely<Database>,
  values: TaskValues & {
    country_iso3: string;
    organisation_id: string;
    work: boolean;
    ewkb: Buffer;
    area_m2: number;
    acknowledged_overlaps: unknown[];
    created_by: string;
  },
): Promise<string> {
  const { work, ewkb, acknowledged_overlaps, ...rest } = values;
  const row = await db
    .insertInto('tasks')
    .values({
      ...rest,
      work_geom: work ? sql`ST_GeomFromEWKB(${ewkb})` : null,
      geom: sql`ST_GeomFromEWKB(${ewkb})`,
      acknowledged_overlaps: JSON.stringify(acknowledged_overlaps),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTask(
  db: Kysely<Database>,
  id: string,
  values: Partial<TaskValues> & {
    status: TaskStatus;
    geometry?: { work: boolean; ewkb: Buffer; area_m2: number };
    acknowledged_overlaps?: unknown[];
    decision?: { reason: string | null; by: string };
  },
): Promise<void> {
  const { geometry, acknowledged_overlaps, decision, ...rest } = values;
  await db
    .updateTable('tasks')
    .set({
      ...rest,
      ...(geometry
        ? {
            work_geom: geometry.work ? sql`ST_GeomFromEWKB(${geometry.ewkb})` : null,
            geom: sql`ST_GeomFromEWKB(${geometry.ewkb})`,
            area_m2: geometry.area_m2,
          }
        : {}),
      ...(acknowledged_overlaps ? { acknowledged_overlaps: JSON.stringify(acknowledged_overlaps) } : {}),
      ...(decision ? { decision_reason: decision.reason, decided_by: decision.by, decided_at: sql`now()` } : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function taskEwkb(db: Kysely<Database>, id: string): Promise<Buffer> {
  const { rows } = await sql<{ ewkb: Buffer }>`SELECT ST_AsEWKB(geom) AS ewkb FROM tasks WHERE id = ${id}`.execute(db);
  return rows[0]!.ewkb;
}

export async function setHazards(db: Kysely<Database>, taskId: string, hazardIds: number[]): Promise<void> {
  await db.deleteFrom('task_hazards').where('task_id', '=', taskId).execute();
  await db
    .insertInto('task_hazards')
    .values(hazardIds.map((h) => ({ task_id: taskId, hazard_id: String(h) })))
    .execute();
}

export async function setFunding(
  db: Kysely<Database>,
  taskId: string,
  funding: Array<{ grant_id: number; share: number }>,
): Promise<void> {
  await db.deleteFrom('task_funding').where('task_id', '=', taskId).execute();
  if (funding.length === 0) return;
  await db
    .insertInto('task_funding')
    .values(funding.map((f) => ({ task_id: taskId, grant_id: String(f.grant_id), share: String(f.share) })))
    .execute();
}
