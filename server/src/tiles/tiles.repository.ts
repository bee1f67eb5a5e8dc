import { type RawBuilder, sql } from 'kysely';
import { type Db, poolOf } from '../db/pool.js';
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
type Input = Parameters<Render>[2];

// Read in every tile's own query: whether the tile reaches a restricted country, and the version.
const RESTRICTED = 'sg_tile_meets_restricted($1::int, $2::int, $3::int) AS restricted';
const VERSION = 'sg_data_version() AS version';

/**
 * Each layer's query and its values. They run as named prepared statements: a pooled connection
 * parses and plans each once instead of for every tile, which cost as much as a small tile.
 */
const QUERIES: Record<TileAddress['layer'], { text: string; values: (tile: TileAddress, input: Input) => unknown[] }> =
  {
    countries: {
      text: `SELECT sg_tile_countries($1::int, $2::int, $3::int, $4::jsonb) AS tile, false AS restricted, ${VERSION}`,
      values: ({ z, x, y }, { attributes }) => [z, x, y, attributes],
    },
    provinces: {
      text: `SELECT sg_tile_provinces($1::int, $2::int, $3::int, $4::jsonb) AS tile, ${RESTRICTED}, ${VERSION}`,
      values: ({ z, x, y }, { attributes }) => [z, x, y, attributes],
    },
    hazards: {
      text: `SELECT sg_tile_hazards($1::int, $2::int, $3::int, $4::date, $5::text[]) AS tile, ${RESTRICTED}, ${VERSION}`,
      values: ({ z, x, y }, { asOf, exact }) => [z, x, y, asOf, exact],
    },
    releases: {
      text: `SELECT sg_tile_releases($1::int, $2::int, $3::int, $4::date, $5::text[]) AS tile, ${RESTRICTED}, ${VERSION}`,
      values: ({ z, x, y }, { asOf, exact }) => [z, x, y, asOf, exact],
    },
    tasks: {
      text:
        'SELECT sg_tile_tasks($1::int, $2::int, $3::int, $4::text[], $5::bigint, $6::text[], $7::bigint, $8::bigint) AS tile, ' +
        `${RESTRICTED}, ${VERSION}`,
      values: ({ z, x, y }, { exact, coalition, filter }) => [
        z,
        x,
        y,
        exact,
        coalition.org,
        coalition.governs,
        filter.donor,
        filter.operator,
      ],
    },
  };

/** Renders one tile of one layer. */
export const renderTile: Render = async (db, tile, input) => {
  const pool = poolOf(db);
  if (!pool) throw new Error('tiles are rendered over a database made by createDb');
  const query = QUERIES[tile.layer];
  const { rows } = await pool.query<Row>({
    name: `tile-${tile.layer}`,
    text: query.text,
    values: query.values(tile, input),
  });
  const row = rows[0];
  if (!row) throw new Error('a tile query returned no row');
  return { bytes: row.tile ?? Buffer.alloc(0), restricted: row.restricted, version: row.version };
};

/** The data version now (sql/functions/0400_tiles.sql sg_data_version). */
export async function dataVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ version: string }>`SELECT sg_data_version() AS version`.execute(db);
  return rows[0]!.version;
}

/**
 * Where a layer has features. Boundary layers: the planner's estimate of their table's extent,
 * with no scan. Ledger layers: the outlines of the countries with live hazards (or tasks), never
 * the features' own extent, whose edges would be a restricted country's hazard coordinates.
 * Undefined when nothing is there (or a boundary table is not analysed yet).
 */
const COUNTRIES_WITH_HAZARDS = sql`SELECT ST_Extent(c.geom)::geometry AS e FROM countries c
  WHERE EXISTS (SELECT 1 FROM hazards h WHERE h.country_iso3 = c.iso3 AND h.deleted_at IS NULL)`;
const EXTENT: Record<TileAddress['layer'], RawBuilder<unknown>> = {
  countries: sql`SELECT ST_EstimatedExtent('public', 'countries', 'geom')::geometry AS e`,
  provinces: sql`SELECT ST_EstimatedExtent('public', 'provinces', 'geom')::geometry AS e`,
  hazards: COUNTRIES_WITH_HAZARDS,
  releases: COUNTRIES_WITH_HAZARDS,
  tasks: sql`SELECT ST_Extent(c.geom)::geometry AS e FROM countries c
    WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.country_iso3 = c.iso3)`,
};

export async function layerExtent(
  db: Db,
  layer: TileAddress['layer'],
): Promise<{ west: number; south: number; east: number; north: number } | undefined> {
  const { rows } = await sql<{ west: number | null; south: number; east: number; north: number }>`
    SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north
      FROM (${EXTENT[layer]}) x`.execute(db);
  const row = rows[0];
  return row && row.west !== null ? { west: row.west, south: row.south, east: row.east, north: row.north } : undefined;
}

/** Folds the counted data changes into the version's base figure (sg_fold_data_changes). */
export async function foldDataChanges(db: Db): Promise<void> {
  await sql`SELECT sg_fold_data_changes()`.execute(db);
}
