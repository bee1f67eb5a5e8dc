import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { sql, type Transaction } from 'kysely';
import type { Database, ObligationStatus } from '../db/database.js';
import type { Db } from '../db/pool.js';

// Loads the data the app ships in geodata/ (see geodata/README.md). Each dataset is versioned by
// the sha256 of its file and loads in one transaction through a temp staging table, so a re-run
// with unchanged files does nothing and a failed load leaves the previous data in place.

export const geodataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../geodata');

type Trx = Transaction<Database>;
type Log = (line: string) => void;
type Row = Record<string, string>;
interface CsvRow {
  line: number;
  row: Row;
}

const BATCH = 200;
const ISO3 = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^\d+(\.\d+)?$/;
const CONFIDENCE = new Set(['verified', 'recalled']);
const STATUS = new Set<ObligationStatus>(['in_progress', 'completed', 'not_applicable', 'declared_completed_then_new_contamination']);

const DATASETS: { name: string; file: string; load: (trx: Trx, content: Buffer, log: Log) => Promise<void> }[] = [
  { name: 'countries', file: 'countries.geojson', load: loadCountries },
  { name: 'provinces', file: 'provinces.geojson', load: loadProvinces },
  { name: 'obligations', file: 'obligations.csv', load: loadObligations },
  { name: 'reported_figures', file: 'figures.csv', load: loadFigures },
];

export async function loadGeodata(db: Db, log: Log = () => {}): Promise<{ loaded: string[]; skipped: string[] }> {
  const loaded: string[] = [];
  const skipped: string[] = [];
  for (const dataset of DATASETS) {
    const content = await readFile(path.join(geodataDir, dataset.file));
    const version = createHash('sha256').update(content).digest('hex');
    const didLoad = await db.transaction().execute(async (trx) => {
      // Two app instances starting together must not load the same dataset twice.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`safeground:geodata:${dataset.name}`}))`.execute(trx);
      const current = await trx
        .selectFrom('geodata_versions')
        .select('version')
        .where('dataset', '=', dataset.name)
        .executeTakeFirst();
      if (current?.version === version) return false;
      await dataset.load(trx, content, (line) => log(`${dataset.name}: ${line}`));
      await trx
        .insertInto('geodata_versions')
        .values({ dataset: dataset.name, version })
        .onConflict((oc) => oc.column('dataset').doUpdateSet({ version, loaded_at: sql`now()` }))
        .execute();
      return true;
    });
    (didLoad ? loaded : skipped).push(dataset.name);
    log(`${dataset.name}: ${didLoad ? 'loaded' : 'unchanged, skipped'} (${dataset.file} sha256 ${version.slice(0, 12)})`);
  }
  return { loaded, skipped };
}

// --- countries and provinces ---------------------------------------------------------------------

interface GeoFeature {
  properties: Record<string, unknown> | null;
  geometry: unknown;
}

/** Stages features as (key, name, parent, geom) with valid, 2D MultiPolygon geometry. */
async function stageFeatures(trx: Trx, file: string, content: Buffer, props: [string, string, string?], log: Log): Promise<void> {
  const { features } = JSON.parse(content.toString('utf8')) as { features: GeoFeature[] };
  await sql`CREATE TEMP TABLE geodata_features (
    key text PRIMARY KEY, name text NOT NULL, parent text, repaired boolean NOT NULL, geom geometry NOT NULL
  ) ON COMMIT DROP`.execute(trx);
  const [keyProp, nameProp, parentProp] = props;
  for (let start = 0; start < features.length; start += BATCH) {
    const batch = features.slice(start, start + BATCH);
    const text = (value: unknown, index: number): string => {
      if (typeof value !== 'string' || value === '') throw new Error(`${file}: feature ${start + index} lacks a text property`);
      return value;
    };
    const keys = batch.map((f, i) => text(f.properties?.[keyProp], i));
    const names = batch.map((f, i) => text(f.properties?.[nameProp], i));
    const parents = batch.map((f, i) => (parentProp ? text(f.properties?.[parentProp], i) : null));
    const geojson = batch.map((f) => JSON.stringify(f.geometry));
    await sql`INSERT INTO geodata_features (key, name, parent, repaired, geom)
      SELECT t.key, t.name, t.parent, NOT ST_IsValid(g.raw), ST_Multi(ST_CollectionExtract(ST_MakeValid(g.raw), 3))
      FROM unnest(${keys}::text[], ${names}::text[], ${parents}::text[], ${geojson}::text[]) AS t(key, name, parent, geojson)
      CROSS JOIN LATERAL (SELECT ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(t.geojson), 4326)) AS raw) AS g`.execute(trx);
  }
  const empty = await sql<{ key: string }>`SELECT key FROM geodata_features WHERE ST_IsEmpty(geom) ORDER BY key`.execute(trx);
  if (empty.rows.length > 0) throw new Error(`${file}: no polygon area in ${empty.rows.map((r) => r.key).join(', ')}`);
  const repaired = await sql<{ key: string }>`SELECT key FROM geodata_features WHERE repaired ORDER BY key`.execute(trx);
  const repairedKeys = repaired.rows.map((r) => r.key).join(' ');
  log(`${features.length} features staged${repairedKeys ? `, repaired by ST_MakeValid: ${repairedKeys}` : ''}`);
}

/**
 * Deletes rows no longer in the file one by one, each under a savepoint, so that a row still
 * referenced by a foreign key (a hazard, a user, an obligation...) stays and the load goes on.
 */
async function deleteUnreferenced(trx: Trx, table: 'countries' | 'provinces', keys: string[], log: Log): Promise<void> {
  const column = table === 'countries' ? 'iso3' : 'code';
  const kept: string[] = [];
  for (const key of keys) {
    await sql`SAVEPOINT geodata_delete`.execute(trx);
    try {
      await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${key}`.execute(trx);
      await sql`RELEASE SAVEPOINT geodata_delete`.execute(trx);
    } catch (error) {
      if ((error as { code?: string }).code !== '23503') throw error;
      await sql`ROLLBACK TO SAVEPOINT geodata_delete`.execute(trx);
      kept.push(key);
    }
  }
  if (keys.length === 0) return;
  log(`${keys.length - kept.length} removed${kept.length ? `, kept (still referenced): ${kept.join(' ')}` : ''}`);
}

async function loadCountries(trx: Trx, content: Buffer, log: Log): Promise<void> {
  await stageFeatures(trx, 'countries.geojson', content, ['iso3', 'name'], log);
  const bad = await sql<{ key: string }>`SELECT key FROM geodata_features WHERE key !~ '^[A-Z]{3}$'`.execute(trx);
  if (bad.rows.length > 0) throw new Error(`countries.geojson: not ISO alpha-3: ${bad.rows.map((r) => r.key).join(', ')}`);
  await sql`INSERT INTO countries (iso3, name, geom) SELECT key, name, geom FROM geodata_features
    ON CONFLICT (iso3) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom`.execute(trx);
  const absent = await sql<{ key: string }>`SELECT iso3 AS key FROM countries c
    WHERE NOT EXISTS (SELECT 1 FROM geodata_features s WHERE s.key = c.iso3) ORDER BY iso3`.execute(trx);
  await deleteUnreferenced(trx, 'countries', absent.rows.map((r) => r.key), log);
}

async function loadProvinces(trx: Trx, content: Buffer, log: Log): Promise<void> {
  await stageFeatures(trx, 'provinces.geojson', content, ['code', 'name', 'country_iso3'], log);
  const orphans = await sql<{ key: string; parent: string }>`SELECT key, parent FROM geodata_features s
    WHERE NOT EXISTS (SELECT 1 FROM countries c WHERE c.iso3 = s.parent) ORDER BY key`.execute(trx);
  if (orphans.rows.length > 0) {
    throw new Error(`provinces.geojson: unknown country for ${orphans.rows.map((r) => `${r.key} (${r.parent})`).join(', ')}`);
  }
  await sql`INSERT INTO provinces (code, country_iso3, name, geom) SELECT key, parent, name, geom FROM geodata_features
    ON CONFLICT (code) DO UPDATE
    SET country_iso3 = EXCLUDED.country_iso3, name = EXCLUDED.name, geom = EXCLUDED.geom`.execute(trx);
  // Area summaries refer to provinces by code without a foreign key; those codes must stay too.
  const absent = await sql<{ key: string }>`SELECT code AS key FROM provinces p
    WHERE NOT EXISTS (SELECT 1 FROM geodata_features s WHERE s.key = p.code)
      AND NOT EXISTS (SELECT 1 FROM area_country_days a WHERE a.dim_kind = 'province' AND a.dim_key = p.code)
    ORDER BY code`.execute(trx);
  await deleteUnreferenced(trx, 'provinces', absent.rows.map((r) => r.key), log);
}

// --- obligations and reported figures ------------------------------------------------------------
// The file wins for the rows it ships (matched on their natural key); rows that are not in the
// file are left alone, since authorised users may add obligations and figures of their own.
// Exception: an obligation a user has changed through the API is kept as the user left it.

function readCsv(file: string, content: Buffer, columns: string[]): CsvRow[] {
  const options = { columns: true, info: true, skip_empty_lines: true, trim: true } as const;
  const records = parse<{ record: Row; info: { lines: number } }>(content, options);
  const header = Object.keys(records[0]?.record ?? {});
  const missing = columns.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new Error(`${file}: missing columns ${missing.join(', ')}`);
  return records.map(({ record, info }) => ({ line: info.lines, row: record }));
}

function check(ok: boolean, file: string, line: number, message: string): void {
  if (!ok) throw new Error(`${file} line ${line}: ${message}`);
}

/** Creates a temp staging table and fills it in batches, one parameter array per column. */
async function stageRows(trx: Trx, table: string, columns: Record<string, string>, rows: unknown[][]): Promise<void> {
  const names = Object.keys(columns);
  const definitions = names.map((name) => sql`${sql.ref(name)} ${sql.raw(columns[name]!)}`);
  await sql`CREATE TEMP TABLE ${sql.table(table)} (${sql.join(definitions)}) ON COMMIT DROP`.execute(trx);
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const arrays = names.map((name, i) => sql`${batch.map((row) => row[i] ?? null)}::${sql.raw(columns[name]!)}[]`);
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))})
      SELECT * FROM unnest(${sql.join(arrays)})`.execute(trx);
  }
}

async function assertCountries(trx: Trx, file: string, table: string): Promise<void> {
  const missing = await sql<{ line: number; country_iso3: string }>`SELECT line, country_iso3 FROM ${sql.table(table)} s
    WHERE NOT EXISTS (SELECT 1 FROM countries c WHERE c.iso3 = s.country_iso3) ORDER BY line`.execute(trx);
  const first = missing.rows[0];
  if (first) {
    const count = missing.rows.length;
    throw new Error(`${file} line ${first.line}: no country ${first.country_iso3} (${count} rows without a country)`);
  }
}

async function loadObligations(trx: Trx, content: Buffer, log: Log): Promise<void> {
  const file = 'obligations.csv';
  const columns = ['iso3', 'treaty', 'article', 'entry_into_force', 'original_deadline', 'current_deadline',
    'extensions', 'status', 'completed_on', 'source', 'confidence'];
  const obligations: unknown[][] = [];
  const extensions: unknown[][] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of readCsv(file, content, columns)) {
    const ok = (cond: boolean, message: string): void => check(cond, file, line, message);
    ok(ISO3.test(row.iso3!), `bad iso3 "${row.iso3}"`);
    ok(row.treaty === 'CCM' || row.treaty === 'APMBC', `bad treaty "${row.treaty}"`);
    ok(!seen.has(`${row.iso3} ${row.treaty}`), `same country and treaty as line ${seen.get(`${row.iso3} ${row.treaty}`)}`);
    seen.set(`${row.iso3} ${row.treaty}`, line);
    ok(/^[1-9]\d*$/.test(row.article!), `bad article "${row.article}"`);
    for (const column of ['entry_into_force', 'original_deadline']) ok(DATE.test(row[column]!), `bad ${column} "${row[column]}"`);
    ok(row.current_deadline === '' || DATE.test(row.current_deadline!), `bad current_deadline "${row.current_deadline}"`);
    ok(row.completed_on === '' || /^\d{4}(-\d{2}(-\d{2})?)?$/.test(row.completed_on!), `bad completed_on "${row.completed_on}"`);
    ok(row.source !== '', 'source is empty');
    ok(CONFIDENCE.has(row.confidence!), `bad confidence "${row.confidence}"`);
    const grants = row.extensions === '' ? [] : row.extensions!.split(';').map((grant) => grant.split(':'));
    for (const grant of grants) {
      ok(grant.length === 2 && grant[0] !== '' && DATE.test(grant[1]!), `bad extension "${grant.join(':')}"`);
    }
    for (const [meeting, deadline] of grants) extensions.push([row.iso3, row.treaty, meeting, deadline]);
    // A blank current_deadline means no source confirmed the deadline now in force: it stays NULL
    // (unknown) rather than guessed from older grants.
    const current = row.current_deadline === '' ? null : row.current_deadline;
    ok(STATUS.has(row.status as ObligationStatus), `bad status "${row.status}"`);
    obligations.push([line, row.iso3, row.treaty, Number(row.article), row.entry_into_force, row.original_deadline, current,
      row.status, row.completed_on || null, row.source, row.confidence]);
  }
  await stageRows(trx, 'geodata_obligations', { line: 'int', country_iso3: 'text', treaty: 'treaty',
    article: 'smallint', entry_into_force: 'date', original_deadline: 'date', current_deadline: 'date',
    status: 'obligation_status', completed_on: 'text', source: 'text', confidence: 'source_confidence' }, obligations);
  await stageRows(trx, 'geodata_extensions', { country_iso3: 'text', treaty: 'treaty', meeting: 'text',
    new_deadline: 'date' }, extensions);
  await assertCountries(trx, file, 'geodata_obligations');

  // A row a user changed through the API (extension, completion, confirmation: updated_at set) is
  // newer than the file, so the file no longer wins for it: neither the row nor its extensions are
  // touched, and the log names it so a maintainer can fold the change back into the CSV. The WHERE
  // is evaluated on the locked row, so a user's write committed meanwhile is seen, not overwritten.
  const upserted = await sql<{ country_iso3: string; treaty: string }>`INSERT INTO obligations (country_iso3, treaty,
      article, entry_into_force, original_deadline, current_deadline, status, completed_on, source, confidence)
    SELECT country_iso3, treaty, article, entry_into_force, original_deadline, current_deadline, status, completed_on,
      source, confidence FROM geodata_obligations
    ON CONFLICT (country_iso3, treaty) DO UPDATE SET article = EXCLUDED.article, entry_into_force = EXCLUDED.entry_into_force,
      original_deadline = EXCLUDED.original_deadline, current_deadline = EXCLUDED.current_deadline, status = EXCLUDED.status,
      completed_on = EXCLUDED.completed_on, source = EXCLUDED.source, confidence = EXCLUDED.confidence
      WHERE obligations.updated_at IS NULL
    RETURNING country_iso3, treaty`.execute(trx);
  const loaded = new Set(upserted.rows.map((r) => `${r.country_iso3} ${r.treaty}`));
  const kept = obligations.map((row) => `${row[1]} ${row[2]}`).filter((key) => !loaded.has(key));
  // An obligation's extension history is part of the row the file ships: replace it whole.
  await sql`DELETE FROM obligation_extensions e USING obligations o, geodata_obligations s
    WHERE e.obligation_id = o.id AND o.country_iso3 = s.country_iso3 AND o.treaty = s.treaty
      AND o.updated_at IS NULL`.execute(trx);
  await sql`INSERT INTO obligation_extensions (obligation_id, meeting, new_deadline)
    SELECT o.id, x.meeting, x.new_deadline FROM geodata_extensions x
    JOIN obligations o ON o.country_iso3 = x.country_iso3 AND o.treaty = x.treaty
    WHERE o.updated_at IS NULL`.execute(trx);
  log(`${obligations.length - kept.length} obligations loaded, ${extensions.length} extensions in the file` +
    (kept.length ? `; kept as users changed them: ${kept.join(', ')}` : ''));
}

async function loadFigures(trx: Trx, content: Buffer, log: Log): Promise<void> {
  const file = 'figures.csv';
  const amounts = ['remaining_km2', 'cancelled_km2', 'reduced_km2', 'cleared_km2'];
  const rows: unknown[][] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of readCsv(file, content, ['iso3', 'year', 'contamination', ...amounts, 'source', 'confidence'])) {
    const ok = (cond: boolean, message: string): void => check(cond, file, line, message);
    ok(ISO3.test(row.iso3!), `bad iso3 "${row.iso3}"`);
    ok(/^\d{4}$/.test(row.year!), `bad year "${row.year}"`);
    ok(['ap_mines', 'cmr', 'erw', 'all'].includes(row.contamination!), `bad contamination "${row.contamination}"`);
    // A blank cell means "not reported separately": it becomes NULL, never 0.
    for (const column of amounts) ok(row[column] === '' || NUMBER.test(row[column]!), `bad ${column} "${row[column]}"`);
    ok(row.source !== '', 'source is empty');
    ok(CONFIDENCE.has(row.confidence!), `bad confidence "${row.confidence}"`);
    const key = [row.iso3, row.year, row.contamination, row.source].join('|');
    ok(!seen.has(key), `same country, year, contamination and source as line ${seen.get(key)}`);
    seen.set(key, line);
    const values = amounts.map((column) => row[column] || null);
    rows.push([line, row.iso3, Number(row.year), row.contamination, ...values, row.source, row.confidence]);
  }
  await stageRows(trx, 'geodata_figures', { line: 'int', country_iso3: 'text', year: 'smallint',
    contamination: 'figure_contamination', remaining_km2: 'numeric', cancelled_km2: 'numeric', reduced_km2: 'numeric',
    cleared_km2: 'numeric', source: 'text', confidence: 'source_confidence' }, rows);
  await assertCountries(trx, file, 'geodata_figures');
  await sql`INSERT INTO reported_figures (country_iso3, year, contamination, remaining_km2, cancelled_km2, reduced_km2,
      cleared_km2, source, confidence)
    SELECT country_iso3, year, contamination, remaining_km2, cancelled_km2, reduced_km2, cleared_km2, source, confidence
    FROM geodata_figures
    ON CONFLICT (country_iso3, year, contamination, source) DO UPDATE SET remaining_km2 = EXCLUDED.remaining_km2,
      cancelled_km2 = EXCLUDED.cancelled_km2, reduced_km2 = EXCLUDED.reduced_km2, cleared_km2 = EXCLUDED.cleared_km2,
      confidence = EXCLUDED.confidence`.execute(trx);
  log(`${rows.length} figures`);
}
