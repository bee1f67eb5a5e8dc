import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import { type Log, type Trx, loadFigures, loadObligations, loadRequests } from './reference-facts.loader.js';

// Loads the data the app ships in geodata/ (see geodata/README.md). Each dataset is versioned by
// the sha256 of its file and loads in one transaction through a temp staging table, so a re-run
// with unchanged files does nothing and a failed load leaves the previous data in place.

export const geodataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../geodata');

const BATCH = 200;

const DATASETS: { name: string; file: string; load: (trx: Trx, content: Buffer, log: Log) => Promise<void> }[] = [
  { name: 'countries', file: 'countries.geojson', load: loadCountries },
  { name: 'provinces', file: 'provinces.geojson', load: loadProvinces },
  { name: 'obligations', file: 'obligations.csv', load: loadObligations },
  { name: 'reported_figures', file: 'figures.csv', load: loadFigures },
  { name: 'obligation_requests', file: 'pending-requests.csv', load: loadRequests },
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
