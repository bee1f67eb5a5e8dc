import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

// The import tables are reached through sql templates only (they are not in the kysely Database
// interface): every statement here is short and the long ones live in sql/functions/0400_imports.sql.

export type ImportStatus = 'receiving' | 'validating' | 'ready' | 'invalid' | 'committing' | 'committed' | 'commit_failed';

export interface ImportRow {
  id: string;
  country_iso3: string;
  format: string;
  mapping: string;
  file_name: string | null;
  file_bytes: string;
  status: ImportStatus;
  error: string | null;
  feature_count: number;
  ok_count: number;
  repaired_count: number;
  rejected_count: number;
  progress_done: number;
  progress_total: number | null;
  inserted_count: number | null;
  updated_count: number | null;
  unchanged_count: number | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  committed_at: Date | null;
}

export interface StagedBatch {
  index: number[];
  ref: (string | null)[];
  problem: (string | null)[];
  classification: (string | null)[];
  contamination: (string | null)[];
  status: (string | null)[];
  recorded_on: (string | null)[];
  name: (string | null)[];
  /** Each accepted geometry as GeoJSON text or, when the reader could encode it, as (E)WKB: one of the two. */
  geojson: (string | null)[];
  wkb: (Buffer | null)[];
}

type Db = Kysely<Database>;

export async function findImport(db: Db, id: string): Promise<ImportRow | undefined> {
  const { rows } = await sql<ImportRow>`SELECT * FROM imports WHERE id = ${id}`.execute(db);
  return rows[0];
}

export async function updateImport(db: Db, id: string, values: Partial<Omit<ImportRow, 'id' | 'created_at' | 'updated_at'>>): Promise<void> {
  const sets = Object.entries(values).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  if (sets.length === 0) return;
  await sql`UPDATE imports SET ${sql.join(sets)}, updated_at = now() WHERE id = ${id}`.execute(db);
}

/** Claims an import for committing; false when it is not in a committable state (or already claimed). */
export async function claimForCommit(db: Db, id: string, total: number): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    UPDATE imports SET status = 'committing', error = NULL, progress_done = 0, progress_total = ${total}, updated_at = now()
     WHERE id = ${id} AND status IN ('ready', 'commit_failed') RETURNING id`.execute(db);
  return rows.length === 1;
}

export async function deleteImport(db: Db, id: string): Promise<void> {
  await sql`DELETE FROM imports WHERE id = ${id}`.execute(db);
}

export async function deleteStaged(db: Db, id: string): Promise<void> {
  await sql`DELETE FROM import_features WHERE import_id = ${id}`.execute(db);
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
    ${batch.geojson}::text[], ${batch.wkb}::bytea[])`.execute(db);
}

export async function rejectDuplicates(db: Db, importId: string): Promise<void> {
  await sql`SELECT sg_import_reject_duplicates(${importId})`.execute(db);
}

export async function outcomeCounts(db: Db, importId: string): Promise<{ ok: number; repaired: number; rejected: number }> {
  const { rows } = await sql<{ outcome: string; n: number }>`
    SELECT outcome, count(*)::int AS n FROM import_features WHERE import_id = ${importId} GROUP BY outcome`.execute(db);
  const count = (outcome: string) => rows.find((row) => row.outcome === outcome)?.n ?? 0;
  return { ok: count('ok'), repaired: count('repaired'), rejected: count('rejected') };
}

/** Feature-index boundaries splitting the accepted features into batches of about `size`. */
export async function acceptedRanges(db: Db, importId: string, size: number): Promise<{ from: number; to: number; n: number }[]> {
  const { rows } = await sql<{ from: number; to: number; n: number }>`
    SELECT min(feature_index) AS "from", max(feature_index) AS "to", count(*)::int AS n
      FROM (SELECT feature_index, (row_number() OVER (ORDER BY feature_index) - 1) / ${size} AS batch
              FROM import_features WHERE import_id = ${importId} AND outcome <> 'rejected') b
     GROUP BY batch ORDER BY batch`.execute(db);
  return rows;
}

export async function commitBatch(db: Db, importId: string, range: { from: number; to: number }, userId: string | null) {
  const { rows } = await sql<{ hazard_id: string; inserted: boolean }>`
    SELECT hazard_id, inserted FROM sg_import_commit_batch(${importId}, ${range.from}, ${range.to}, ${userId})`.execute(db);
  return rows;
}

export interface ReportRow {
  feature_index: number;
  external_ref: string | null;
  outcome: string;
  reason: string | null;
}

/** The per-feature report in file order, read in keyset pages so a million rows never sit in memory. */
export async function* reportRows(db: Db, importId: string, pageSize = 5_000): AsyncGenerator<ReportRow> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<ReportRow>`
      SELECT feature_index, external_ref, outcome, reason FROM import_features
       WHERE import_id = ${importId} AND feature_index > ${after}
       ORDER BY feature_index LIMIT ${pageSize}`.execute(db);
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.feature_index;
  }
}
