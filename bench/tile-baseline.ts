// The baseline a tile server is measured against: the minimal hazards tile server anyone would
// write first — one parameterised ST_AsMVTGeom/ST_AsMVT query per tile over the hazards table,
// with the same attributes as Safeground's hazards layer, no cache, no compression.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const TILE_URL = /^\/tiles\/hazards\/(\d+)\/(\d+)\/(\d+)\.mvt$/;

const QUERY = `
  SELECT ST_AsMVT(t, 'hazards', 4096, 'geom', 'fid') AS tile FROM (
    SELECT h.id AS fid, h.id, coalesce(h.external_ref, h.name, h.id::text) AS reference,
           h.classification::text AS classification, h.contamination[1]::text AS contamination,
           array_to_string(h.contamination, ',') AS contamination_all, h.status::text AS status,
           round(h.area_m2)::bigint AS area_m2, round(h.remaining_m2)::bigint AS remaining_m2,
           round((h.remaining_m2 / h.area_m2)::numeric, 4)::double precision AS remaining_share,
           h.recorded_on::text AS recorded_on, h.country_iso3::text AS country_iso3,
           ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
      FROM hazards h
     WHERE h.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
       AND h.deleted_at IS NULL
  ) t`;

export async function startBaselineTileServer(databaseUrl: string): Promise<{ base: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const server: Server = createServer((req, res) => {
    const match = TILE_URL.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    pool.query<{ tile: Buffer | null }>(QUERY, match.slice(1).map(Number)).then(
      ({ rows }) => {
        res
          .writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile' })
          .end(rows[0]?.tile ?? Buffer.alloc(0));
      },
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.close();
      await pool.end();
    },
  };
}
