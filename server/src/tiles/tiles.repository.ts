import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { TileAddress } from './tiles.layers.js';
import type { CoalitionScope } from '../shared/coalition-scope.js';

// One SQL function per layer (sql/functions/0400_tiles.sql, 0410_tiles_ledger.sql, 0710_tasks.sql). Each layer
// maps to its function here, in code: the layer name from a request never becomes SQL.

// `exact` is the reader's exact-geometry scope (restrictions.service.ts): the ledger layers show
// restricted countries outside it as grid cells.
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
) => Promise<Buffer | null>;

const first = async (query: Promise<{ rows: Array<{ tile: Buffer | null }> }>) => (await query).rows[0]?.tile ?? null;

export const renderers: Record<TileAddress['layer'], Render> = {
  countries: (db, { z, x, y }, { attributes }) =>
    first(
      sql<{
        tile: Buffer | null;
      }>`SELECT sg_tile_countries(${z}::int, ${x}::int, ${y}::int, ${attributes}::jsonb) AS tile`.execute(db),
    ),
  provinces: (db, { z, x, y }, { attributes }) =>
    first(
      sql<{
        tile: Buffer | null;
      }>`SELECT sg_tile_provinces(${z}::int, ${x}::int, ${y}::int, ${attributes}::jsonb) AS tile`.execute(db),
    ),
  hazards: (db, { z, x, y }, { asOf, exact }) =>
    first(
      sql<{
        tile: Buffer | null;
      }>`SELECT sg_tile_hazards(${z}::int, ${x}::int, ${y}::int, ${asOf}::date, ${exact}::text[]) AS tile`.execute(db),
    ),
  releases: (db, { z, x, y }, { asOf, exact }) =>
    first(
      sql<{
        tile: Buffer | null;
      }>`SELECT sg_tile_releases(${z}::int, ${x}::int, ${y}::int, ${asOf}::date, ${exact}::text[]) AS tile`.execute(db),
    ),
  tasks: (db, { z, x, y }, { exact, coalition, filter }) =>
    first(
      sql<{ tile: Buffer | null }>`SELECT sg_tile_tasks(${z}::int, ${x}::int, ${y}::int, ${exact}::text[],
        ${coalition.org}::bigint, ${coalition.governs}::text[], ${filter.donor}::bigint, ${filter.operator}::bigint) AS tile`.execute(
        db,
      ),
    ),
};
