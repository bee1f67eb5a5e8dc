import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { TileAddress } from './tiles.layers.js';
import type { CoalitionScope } from '../shared/coalition-scope.js';
import type { Rendered } from '../db/derived-cache.js';

/** A tile (empty when nothing is in it), whether it reaches a restricted country, and the data version it shows. */
type RenderedTile = Required<Exclude<Rendered, Buffer>>;

// One SQL function per layer (sql/functions/0400_tiles.sql, 0410_tiles_ledger.sql, 0710_tasks.sql). Each layer
// maps to its function here, in code: the layer name from a request never becomes SQL.

// `exact` is the reader's exact-geometry scope (restrictions.service.ts): the ledger layers show
// restricted countries outside it as grid cells. Layers a restriction coarsens also say, in the
// same query, whether the tile reaches a restricted country (sql/functions/0600_restrictions.sql).
// Every query reads the data version in the tile's own snapshot, so the version a tile is cached
// and sent under is the one it was drawn at, never a later one.
type Render = (
  db: Db,
  tile: TileAddress,
  input: {
    asOf: string | null;
    attributes: string;
    exact: string[];
    coalition: CoalitionScope;
    filter: { donor: number | null; operator: number | null };
  },
) => Promise<RenderedTile>;

type Row = { tile: Buffer | null; restricted: boolean; version: string };

const first = async (query: Promise<{ rows: Row[] }>): Promise<RenderedTile> => {
  const row = (await query).rows[0];
  if (!row) throw new Error('a tile query returned no row');
  return { bytes: row.tile ?? Buffer.alloc(0), restricted: row.restricted, version: row.version };
};

const meetsRestricted = ({ z, x, y }: TileAddress) =>
  sql<boolean>`sg_tile_meets_restricted(${z}::int, ${x}::int, ${y}::int)`;

export const renderers: Record<TileAddress['layer'], Render> = {
  countries: (db, { z, x, y }, { attributes }) =>
    first(
      sql<Row>`SELECT sg_tile_countries(${z}::int, ${x}::int, ${y}::int, ${attributes}::jsonb) AS tile, false AS restricted, sg_data_version() AS version`.execute(
        db,
      ),
    ),
  provinces: (db, tile, { attributes }) =>
    first(
      sql<Row>`SELECT sg_tile_provinces(${tile.z}::int, ${tile.x}::int, ${tile.y}::int, ${attributes}::jsonb) AS tile,
        ${meetsRestricted(tile)} AS restricted, sg_data_version() AS version`.execute(db),
    ),
  hazards: (db, tile, { asOf, exact }) =>
    first(
      sql<Row>`SELECT sg_tile_hazards(${tile.z}::int, ${tile.x}::int, ${tile.y}::int, ${asOf}::date, ${exact}::text[]) AS tile,
        ${meetsRestricted(tile)} AS restricted, sg_data_version() AS version`.execute(db),
    ),
  releases: (db, tile, { asOf, exact }) =>
    first(
      sql<Row>`SELECT sg_tile_releases(${tile.z}::int, ${tile.x}::int, ${tile.y}::int, ${asOf}::date, ${exact}::text[]) AS tile,
        ${meetsRestricted(tile)} AS restricted, sg_data_version() AS version`.execute(db),
    ),
  tasks: (db, tile, { exact, coalition, filter }) =>
    first(
      sql<Row>`SELECT sg_tile_tasks(${tile.z}::int, ${tile.x}::int, ${tile.y}::int, ${exact}::text[],
        ${coalition.org}::bigint, ${coalition.governs}::text[], ${filter.donor}::bigint, ${filter.operator}::bigint) AS tile,
        ${meetsRestricted(tile)} AS restricted, sg_data_version() AS version`.execute(db),
    ),
};

/** The data version now (sql/functions/0400_tiles.sql sg_data_version). */
export async function dataVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ version: string }>`SELECT sg_data_version() AS version`.execute(db);
  return rows[0]!.version;
}

/** Each tile layer's table and geometry column, in code: a request's layer name never becomes SQL. */
const LAYER_TABLE: Record<TileAddress['layer'], string> = {
  countries: 'countries',
  provinces: 'provinces',
  hazards: 'hazards',
  releases: 'land_releases',
  tasks: 'tasks',
};

/**
 * Where a layer has features, from the planner's statistics (ST_EstimatedExtent): a full extent
 * would read every row of a million-hazard table for a hint. Undefined before the table is analysed.
 */
export async function layerExtent(
  db: Db,
  layer: TileAddress['layer'],
): Promise<{ west: number; south: number; east: number; north: number } | undefined> {
  const { rows } = await sql<{ west: number | null; south: number; east: number; north: number }>`
    SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north
      FROM (SELECT ST_EstimatedExtent('public', ${LAYER_TABLE[layer]}, 'geom')::geometry AS e) x`.execute(db);
  const row = rows[0];
  return row && row.west !== null ? { west: row.west, south: row.south, east: row.east, north: row.north } : undefined;
}

/** Folds the counted data changes into the version's base figure (sg_fold_data_changes). */
export async function foldDataChanges(db: Db): Promise<void> {
  await sql`SELECT sg_fold_data_changes()`.execute(db);
}
