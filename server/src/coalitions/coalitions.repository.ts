import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { FunderKind } from '../db/schema.generated.js';
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

/**
 * Where a donor's attributed releases in one country come from: the stored rows of a funder kind
 * (every grant of the donor, or exactly its public ones), or the rule counted on the spot over the
 * grants a reader sees when that is neither (migration 0015 says what each kind is).
 */
export type AttributionSource =
  { kind: Extract<FunderKind, 'donor' | 'donor_public'>; donorId: string } | { kind: 'grants'; grantIds: string[] };

/** The attributed releases of a source in one country and the years from..to, as a FROM item `a`. */
function sourceRows(source: AttributionSource, country: string, years: { from: number; to: number }) {
  return source.kind === 'grants'
    ? sql`sg_attributed_releases(${source.grantIds}::bigint[], ${country}::char(3), ${years.from}::int, ${years.to}::int) a`
    : sql`(SELECT * FROM release_attribution
            WHERE funder_kind = ${source.kind}::funder_kind AND funder_id = ${source.donorId}::bigint
              AND country_iso3 = ${country}::char(3) AND year BETWEEN ${years.from}::int AND ${years.to}::int) a`;
}

export interface AttributedTotal {
  year: number;
  method: 'cancelled' | 'reduced' | 'cleared';
  organisation_id: string;
  attributed_m2: number;
  releases: number;
  synthetic: boolean;
}

/** Per year, method and operator of the task: the attributed m² (counted_m2 × share) and the releases behind it. */
export async function attributedTotals(
  db: Db,
  source: AttributionSource,
  country: string,
  years: { from: number; to: number },
): Promise<AttributedTotal[]> {
  const { rows } = await sql<AttributedTotal>`
    SELECT a.year, a.method, a.organisation_id, sum(a.counted_m2 * a.share::double precision) AS attributed_m2,
           count(*)::int AS releases, bool_or(a.synthetic) AS synthetic
      FROM ${sourceRows(source, country, years)}
     GROUP BY a.year, a.method, a.organisation_id
     ORDER BY a.year, a.method, a.organisation_id`.execute(db);
  return rows;
}

export interface AttributedRelease {
  release_id: string;
  task_id: string;
  organisation_id: string;
  method: 'cancelled' | 'reduced' | 'cleared';
  completed_on: string;
  share: string;
  area_m2: number;
  counted_m2: number;
  attributed_m2: number;
}

/** The attributed releases of one year, by release id after `after`, at most `limit`. */
export async function attributedReleases(
  db: Db,
  source: AttributionSource,
  country: string,
  year: number,
  page: { after: number; limit: number },
): Promise<AttributedRelease[]> {
  const { rows } = await sql<AttributedRelease>`
    SELECT a.release_id, a.task_id, a.organisation_id, a.method, a.completed_on::text AS completed_on, a.share,
           a.area_m2, a.counted_m2, a.counted_m2 * a.share::double precision AS attributed_m2
      FROM ${sourceRows(source, country, { from: year, to: year })}
     WHERE a.release_id > ${page.after}::bigint
     ORDER BY a.release_id
     LIMIT ${page.limit}::int`.execute(db);
  return rows;
}

/** Per year from..to that has any, the land released in a country without a funded task, counted once. */
export async function unattributedByYear(db: Db, country: string, years: { from: number; to: number }) {
  const { rows } = await sql<{ year: number; m2: number }>`
    SELECT year, sum(counted_m2)::float8 AS m2
      FROM release_attribution
     WHERE funder_kind = 'unattributed' AND funder_id = 0
       AND country_iso3 = ${country}::char(3) AND year BETWEEN ${years.from}::int AND ${years.to}::int
     GROUP BY year`.execute(db);
  return rows;
}

export interface ReleasedInYear {
  year: number;
  /** Land released under funded tasks (every grant pooled), counted once. */
  funded_m2: number;
  /** Land released without a task or under an unfunded task, counted once. */
  unattributed_m2: number;
  synthetic: boolean;
}

/** Per year from..to that has any, the land released in a country with and without grant money. */
export async function releasedByYear(db: Db, country: string, years: { from: number; to: number }) {
  const { rows } = await sql<ReleasedInYear>`
    SELECT a.year,
           coalesce(sum(a.counted_m2) FILTER (WHERE a.funder_kind = 'pool'), 0)::float8 AS funded_m2,
           coalesce(sum(a.counted_m2) FILTER (WHERE a.funder_kind = 'unattributed'), 0)::float8 AS unattributed_m2,
           bool_or(a.synthetic) AS synthetic
      FROM release_attribution a
     WHERE a.funder_kind IN ('pool', 'unattributed') AND a.funder_id = 0
       AND a.country_iso3 = ${country}::char(3) AND a.year BETWEEN ${years.from}::int AND ${years.to}::int
     GROUP BY a.year`.execute(db);
  return rows;
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

export interface MoneyRow {
  /** null with recipient_id: the grants this reader may not see in detail, as one group. */
  donor_id: string | null;
  recipient_id: string | null;
  year: number;
  type: 'commitment' | 'disbursement';
  currency: string;
  amount: string;
  usd: string | null;
}

/** sg_country_grant_money: a country's grant money per donor and recipient (those the reader sees), year, type and currency. */
export async function countryMoney(db: Db, iso3: string, reader: CoalitionScope): Promise<MoneyRow[]> {
  const { rows } = await sql<MoneyRow>`
    SELECT * FROM sg_country_grant_money(${iso3}::char(3), ${reader.org}::bigint, ${reader.governs}::text[])`.execute(
    db,
  );
  return rows;
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
