import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Classification, Contamination, Database, HazardStatus } from '../db/database.js';
import type { HazardListQuery } from './hazards.schema.js';
import { PUBLISHED_DIGITS, RECORDED_DIGITS } from '../geo/coordinates.js';
import {
  EVERY_COUNTRY,
  type ExactScope,
  generalisedCellKm,
  visibleGeoJson,
  visibleIntersects,
} from '../restrictions/restrictions.repository.js';

const columns = [
  'id',
  'country_iso3',
  'classification',
  'status',
  'recorded_on',
  'external_ref',
  'name',
  'priority',
  'area_m2',
  'remaining_m2',
  'version',
  'warnings',
  'synthetic',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/** `exact`: the reader's exact-geometry scope; writes and the audit log always see every country. */
export function selectHazards(
  db: Kysely<Database>,
  exact: ExactScope = EVERY_COUNTRY,
  options: { includeDeleted?: boolean; digits?: number } = {},
) {
  const query = db
    .selectFrom('hazards')
    .select(columns)
    // pg does not parse arrays of a custom enum; as text[] they arrive as JS arrays.
    .select(sql<Contamination[]>`contamination::text[]`.as('contamination'))
    .select(visibleGeoJson('geom', 'country_iso3', exact, options.digits).as('geometry'))
    .select(generalisedCellKm('country_iso3', exact).as('generalised_cell_km'));
  return options.includeDeleted ? query : query.where('deleted_at', 'is', null);
}

/**
 * Live hazards as GeoJSON Feature text, built by the database (sg_hazard_feature) in the shape
 * toFeature gives, or with `export` in the exports' columns; `id` is what pages go by.
 */
export function selectHazardTexts(db: Kysely<Database>, exact: ExactScope, options: { export?: boolean } = {}) {
  // The countries this reader sees in cells are joined once, not looked up per row.
  const hidden = sql<{ iso3: string; cell_km: number }>`sg_hidden_cells(${[...exact]}::text[])`.as('hidden');
  return db
    .selectFrom('hazards')
    .leftJoin(hidden, (join) => join.onRef('hidden.iso3', '=', 'hazards.country_iso3'))
    .select(sql<string>`hazards.id::text`.as('id'))
    .select(
      sql<string>`sg_hazard_feature(hazards, hidden.cell_km, ${PUBLISHED_DIGITS}::int, ${options.export ?? false})`.as(
        'feature',
      ),
    )
    .where('hazards.deleted_at', 'is', null);
}

export type HazardRecord = Awaited<ReturnType<typeof findHazard>> & object;

/** A live hazard as the reader with this scope sees it. */
export async function findHazard(db: Kysely<Database>, id: string, options: { exact?: ExactScope } = {}) {
  return selectHazards(db, options.exact).where('id', '=', id).executeTakeFirst();
}

/**
 * A hazard as a write sees, returns and audits it: exact, with coordinates at full precision;
 * `includeDeleted` also finds a deleted one (a restore undeletes it).
 */
export async function findHazardForWrite(
  db: Kysely<Database>,
  id: string,
  options: { forUpdate?: boolean; includeDeleted?: boolean } = {},
) {
  let query = selectHazards(db, EVERY_COUNTRY, {
    includeDeleted: options.includeDeleted,
    digits: RECORDED_DIGITS,
  }).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Live hazards as findHazardForWrite sees them, many at once (the demo loader audits its hazards so). */
export async function findHazardsForWrite(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return selectHazards(db, EVERY_COUNTRY, { digits: RECORDED_DIGITS })
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

/** The few columns a release write needs from its hazard, optionally locking the row. */
export async function findHazardHeader(db: Kysely<Database>, id: string, options: { forUpdate?: boolean } = {}) {
  let query = db
    .selectFrom('hazards')
    .select(['id', 'country_iso3', 'recorded_on'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** What GET /hazards and the hazard exports select by. */
export type HazardFilter = Omit<HazardListQuery, 'limit' | 'cursor'>;

/** GET /hazards's filters on a hazards query, as the reader with this scope sees the rows. */
function filtered<O>(
  query: SelectQueryBuilder<Database, 'hazards', O>,
  filter: HazardFilter,
  exact: ExactScope,
): SelectQueryBuilder<Database, 'hazards', O> {
  let q = query;
  if (filter.country) q = q.where('country_iso3', '=', filter.country);
  if (filter.classification) q = q.where('classification', '=', filter.classification);
  if (filter.status) q = q.where('status', '=', filter.status);
  // A prefix, not a pattern: the LIKE wildcards a user types match themselves.
  if (filter.ref) q = q.where('external_ref', 'ilike', `${filter.ref.replace(/[\\%_]/g, '\\$&')}%`);
  if (filter.contamination?.length) {
    q = q.where(sql<boolean>`contamination && ${filter.contamination}::contamination_type[]`);
  }
  if (filter.bbox) {
    const { minLng, minLat, maxLng, maxLat } = filter.bbox;
    q = q.where(
      visibleIntersects(
        'geom',
        'country_iso3',
        sql`ST_MakeEnvelope(${minLng}, ${minLat}, ${maxLng}, ${maxLat}, 4326)`,
        exact,
      ),
    );
  }
  return q;
}

export async function listHazards(db: Kysely<Database>, filter: HazardListQuery, exact: ExactScope = EVERY_COUNTRY) {
  let query = filtered(selectHazards(db, exact), filter, exact);
  if (filter.cursor !== undefined) query = query.where('id', '>', String(filter.cursor));
  return query
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}

/** The hazards GET /hazards (or, with `export`, the export) selects, as GeoJSON texts: `limit` after id `after`. */
export async function listHazardTexts(
  db: Kysely<Database>,
  filter: HazardFilter,
  exact: ExactScope,
  page: { after: string | undefined; limit: number; export?: boolean },
) {
  let query = filtered(selectHazardTexts(db, exact, page), filter, exact);
  if (page.after !== undefined) query = query.where('hazards.id', '>', page.after);
  return query.orderBy('hazards.id').limit(page.limit).execute();
}

export interface HazardValues {
  country_iso3: string;
  classification: Classification;
  contamination: Contamination[];
  status: HazardStatus;
  recorded_on: string;
  external_ref: string | null;
  name: string | null;
  priority: number | null;
}

export async function insertHazard(
  db: Kysely<Database>,
  values: HazardValues & { ewkb: Buffer; area_m2: number; warnings: string[]; created_by: string },
): Promise<string> {
  const { ewkb, ...rest } = values;
  const row = await db
    .insertInto('hazards')
    .values({
      ...rest,
      contamination: sql`${values.contamination}::contamination_type[]`,
      geom: sql`ST_GeomFromEWKB(${ewkb})`,
      remaining_geom: sql`ST_GeomFromEWKB(${ewkb})`,
      remaining_m2: values.area_m2,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateHazard(
  db: Kysely<Database>,
  id: string,
  values: HazardValues & { geometry?: { ewkb: Buffer; area_m2: number }; warnings: string[] },
): Promise<void> {
  const { geometry, ...rest } = values;
  await db
    .updateTable('hazards')
    .set({
      ...rest,
      contamination: sql`${values.contamination}::contamination_type[]`,
      // remaining restarts from the new geometry; the refresh in the same transaction subtracts releases.
      ...(geometry
        ? {
            geom: sql`ST_GeomFromEWKB(${geometry.ewkb})`,
            area_m2: geometry.area_m2,
            remaining_geom: sql`ST_GeomFromEWKB(${geometry.ewkb})`,
            remaining_m2: geometry.area_m2,
          }
        : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function softDeleteHazard(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('hazards')
    .set({ deleted_at: sql`now()`, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Area of the hazard's approved releases that falls outside the given geometry. */
export async function releasedAreaOutside(db: Kysely<Database>, hazardId: string, ewkb: Buffer): Promise<number> {
  const { rows } = await sql<{ m2: number }>`
    SELECT coalesce(sg_geodesic_area(sg_polygonal(ST_Difference(ST_Union(geom), ST_GeomFromEWKB(${ewkb})))), 0) AS m2
      FROM land_releases WHERE hazard_id = ${hazardId} AND status = 'approved'`.execute(db);
  return rows[0]?.m2 ?? 0;
}

export async function hazardEwkb(db: Kysely<Database>, id: string): Promise<Buffer> {
  const { rows } = await sql<{ ewkb: Buffer }>`SELECT ST_AsEWKB(geom) AS ewkb FROM hazards WHERE id = ${id}`.execute(
    db,
  );
  const row = rows[0];
  if (!row) throw new Error(`hazard ${id} vanished inside its own transaction`);
  return row.ewkb;
}
