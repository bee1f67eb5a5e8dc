import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/database.js';
import type { ReleaseStatus } from '../db/database.js';
import type { ImportOutcome } from '../db/enums.js';
import type { ImportFeatures, Imports } from '../db/schema.generated.js';
import type { ReleaseBatch } from './release-reader.js';

// Short statements on the import tables, typed by the generated schema; the long ones live in
// sql/functions/0400_imports.sql.

export type { ImportStatus } from '../db/enums.js';
export type ImportRow = Selectable<Imports>;

export interface StagedBatch {
  index: number[];
  ref: (string | null)[];
  problem: (string | null)[];
  classification: (string | null)[];
  contamination: (string | null)[];
  status: (string | null)[];
  recorded_on: (string | null)[];
  name: (string | null)[];
  priority: (number | null)[];
  /** Each accepted geometry as GeoJSON text or, when the reader could encode it, as (E)WKB: one of the two. */
  geojson: (string | null)[];
  wkb: (Buffer | null)[];
}

type Db = Kysely<Database>;

export async function findImport(db: Db, id: string): Promise<ImportRow | undefined> {
  return db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateImport(
  db: Db,
  id: string,
  values: Omit<Updateable<Imports>, 'id' | 'created_at' | 'updated_at'>,
): Promise<void> {
  if (Object.keys(values).length === 0) return;
  await db
    .updateTable('imports')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Claims an import for committing; false when it is not in a committable state (or already claimed). */
export async function claimForCommit(db: Db, id: string, total: number): Promise<boolean> {
  const claimed = await db
    .updateTable('imports')
    .set({ status: 'committing', error: null, progress_done: 0, progress_total: total, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['ready', 'commit_failed'])
    .returning('id')
    .execute();
  return claimed.length === 1;
}

export async function deleteImport(db: Db, id: string): Promise<void> {
  await db.deleteFrom('imports').where('id', '=', id).execute();
}

export async function deleteStaged(db: Db, id: string): Promise<void> {
  await db.deleteFrom('import_features').where('import_id', '=', id).execute();
}

export async function stageBatch(
  db: Db,
  importId: string,
  iso3: string,
  rules: { maxChange: number; toleranceM: number },
  batch: StagedBatch,
): Promise<void> {
  await sql`SELECT sg_import_stage(${importId}, ${iso3}, ${rules.maxChange}, ${rules.toleranceM},
    ${batch.index}::integer[], ${batch.ref}::text[], ${batch.problem}::text[], ${batch.classification}::text[],
    ${batch.contamination}::text[], ${batch.status}::text[], ${batch.recorded_on}::text[], ${batch.name}::text[],
    ${batch.priority}::smallint[], ${batch.geojson}::text[], ${batch.wkb}::bytea[])`.execute(db);
}

export async function rejectDuplicates(db: Db, importId: string): Promise<void> {
  await sql`SELECT sg_import_reject_duplicates(${importId})`.execute(db);
}

export async function outcomeCounts(
  db: Db,
  importId: string,
): Promise<{ ok: number; repaired: number; rejected: number }> {
  const rows = await db
    .selectFrom('import_features')
    .select(['outcome', sql<number>`count(*)::int`.as('n')])
    .where('import_id', '=', importId)
    .groupBy('outcome')
    .execute();
  const count = (outcome: ImportOutcome) => rows.find((row) => row.outcome === outcome)?.n ?? 0;
  return { ok: count('ok'), repaired: count('repaired'), rejected: count('rejected') };
}

/** Feature-index boundaries splitting the accepted features into batches of about `size`. */
export async function acceptedRanges(
  db: Db,
  importId: string,
  size: number,
): Promise<{ from: number; to: number; n: number }[]> {
  const { rows } = await sql<{ from: number; to: number; n: number }>`
    SELECT min(feature_index) AS "from", max(feature_index) AS "to", count(*)::int AS n
      FROM (SELECT feature_index, (row_number() OVER (ORDER BY feature_index) - 1) / ${size} AS batch
              FROM import_features WHERE import_id = ${importId} AND outcome <> 'rejected') b
     GROUP BY batch ORDER BY batch`.execute(db);
  return rows;
}

export async function commitBatch(
  db: Db,
  importId: string,
  range: { from: number; to: number },
  userId: string | null,
) {
  const { rows } = await sql<{ hazard_id: string; inserted: boolean }>`
    SELECT hazard_id, inserted FROM sg_import_commit_batch(${importId}, ${range.from}, ${range.to}, ${userId})`.execute(
    db,
  );
  return rows;
}

export type ReportRow = Pick<Selectable<ImportFeatures>, 'feature_index' | 'external_ref' | 'outcome' | 'reason'>;

/** The per-feature report in file order, read in keyset pages so a million rows never sit in memory. */
export async function* reportRows(db: Db, importId: string, pageSize = 5_000): AsyncGenerator<ReportRow> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('import_features')
      .select(['feature_index', 'external_ref', 'outcome', 'reason'])
      .where('import_id', '=', importId)
      .where('feature_index', '>', after)
      .orderBy('feature_index')
      .limit(pageSize)
      .execute();
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.feature_index;
  }
}

export async function stageReleaseBatch(
  db: Db,
  importId: string,
  iso3: string,
  maxChange: number,
  batch: ReleaseBatch,
): Promise<void> {
  await sql`SELECT sg_import_stage_releases(${importId}, ${iso3}, ${maxChange},
    ${batch.index}::integer[], ${batch.ref}::text[], ${batch.problem}::text[], ${batch.hazard_ref}::text[],
    ${batch.method}::text[], ${batch.start_on}::text[], ${batch.completed_on}::text[], ${batch.devices}::text[],
    ${batch.geojson}::text[], ${batch.wkb}::bytea[])`.execute(db);
}

/** Writes the accepted releases of a range (sg_import_commit_releases); returns each new release with its hazard. */
export async function commitReleaseBatch(
  db: Db,
  importId: string,
  range: { from: number; to: number },
  values: { userId: string | null; status: ReleaseStatus; organisationId: string | null },
) {
  const { rows } = await sql<{ release_id: string; hazard_id: string }>`
    SELECT release_id, hazard_id FROM sg_import_commit_releases(${importId}, ${range.from}, ${range.to},
      ${values.userId}, ${values.status}::release_status, ${values.organisationId})`.execute(db);
  return rows;
}

export async function organisationExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
