import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { CoalitionScope } from '../shared/coalition-scope.js';

// Reads for attribution, donor summaries and the coalition page. Every rule lives in SQL
// (sql/functions/0720_attribution.sql, 0725_task_areas.sql); these only call it with parameters.

/** Years without a filter: every year a grant or a release can have. */
export const ALL_YEARS = { from: 1990, to: 2100 } as const;

export async function findOrganisation(db: Db, id: number) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'acronym', 'kind', 'country_iso3'])
    .where('id', '=', String(id))
    .executeTakeFirst();
}

export interface GrantRow {
  id: string;
  donor_id: string;
  donor: string;
  recipient_id: string;
  recipient: string;
  country_iso3: string;
  visibility: 'public' | 'coalition';
  /** Whether this reader may see the grant in detail (sg_grant_visible). */
  visible: boolean;
}

/** Grants (not deleted) of a donor and/or a country, each with whether the reader may see it. */
export async function grants(db: Db, reader: CoalitionScope, filter: { donor?: number; country?: string }) {
  const { rows } = await sql<GrantRow>`
    SELECT g.id, g.donor_id, d.name AS donor, g.recipient_id, r.name AS recipient, g.country_iso3, g.visibility,
           sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id,
                            ${reader.org}::bigint, ${reader.governs}::text[]) AS visible
      FROM grants g
      JOIN organisations d ON d.id = g.donor_id
      JOIN organisations r ON r.id = g.recipient_id
     WHERE g.deleted_at IS NULL
       AND (${filter.donor ?? null}::bigint IS NULL OR g.donor_id = ${filter.donor ?? null}::bigint)
       AND (${filter.country ?? null}::char(3) IS NULL OR g.country_iso3 = ${filter.country ?? null}::char(3))
     ORDER BY g.id`.execute(db);
  return rows.map((row) => ({ ...row, country_iso3: row.country_iso3.trim() }));
}

export interface AttributedRelease {
  funder_id: string | null;
  country_iso3: string;
  year: number;
  release_id: string;
  task_id: string | null;
  method: 'cancelled' | 'reduced' | 'cleared';
  completed_on: string;
  share: string | null;
  area_m2: number;
  counted_m2: number;
  attributed_m2: number | null;
}

/** sg_attributed_releases: the attribution rule over these grants, in one country, for the years from..to. */
export async function attributedReleases(
  db: Db,
  grantIds: string[],
  country: string,
  years: { from: number; to: number },
  pooled: boolean,
): Promise<AttributedRelease[]> {
  const { rows } = await sql<AttributedRelease>`
    SELECT * FROM sg_attributed_releases(${grantIds}::bigint[], ${country}::char(3), ${years.from}::int, ${years.to}::int, ${pooled})`.execute(
    db,
  );
  return rows.map((row) => ({ ...row, country_iso3: row.country_iso3.trim() }));
}

export interface TransactionRow {
  transaction_id: string;
  grant_id: string;
  donor_id: string;
  recipient_id: string;
  country_iso3: string;
  type: 'commitment' | 'disbursement';
  transaction_date: string;
  year: number;
  amount: string;
  currency: string;
  usd: string | null;
}

/** The grants' transactions in the years from..to, each in USD at its own year's rate (NULL where missing). */
export async function transactions(db: Db, grantIds: string[], years: { from: number; to: number }) {
  const { rows } = await sql<TransactionRow>`
    SELECT * FROM sg_grant_transactions_usd(${grantIds}::bigint[], ${years.from}::int, ${years.to}::int)`.execute(db);
  return rows.map((row) => ({ ...row, country_iso3: row.country_iso3.trim() }));
}

/** Whether any release or hazard behind these figures is synthetic demo data. */
export async function anySynthetic(db: Db, releaseIds: string[]): Promise<boolean> {
  if (releaseIds.length === 0) return false;
  const row = await db
    .selectFrom('land_releases')
    .select('id')
    .where('id', 'in', releaseIds)
    .where('synthetic', '=', true)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface TaskAreaRow {
  organisation_id: string;
  province_code: string | null;
  tasks: string;
  area_m2: number;
}

/**
 * sg_coalition_task_areas: per operator, its tasks recorded by the end of `until` and their area, whole and by
 * province; stored figures for today, the tasks recorded since taken out for an earlier day.
 */
export async function taskAreas(db: Db, iso3: string, until: string): Promise<TaskAreaRow[]> {
  const { rows } =
    await sql<TaskAreaRow>`SELECT * FROM sg_coalition_task_areas(${iso3}::char(3), ${until}::date)`.execute(db);
  return rows;
}

export async function organisationsByIds(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('organisations').select(['id', 'name', 'acronym']).where('id', 'in', ids).execute();
}
