-- Mapbox vector tiles, one function per layer (pg_tileserv / Martin style): the tile envelope in
-- web mercator, the same envelope (plus a margin) transformed to the tables' SRID 4326 so that
-- the GiST index answers `geom && box`, ST_AsMVTGeom into the 4096 extent, ST_AsMVT with
-- feature ids. Layer and column names are fixed here; requests only supply numbers and dates.
--
-- Every function is plpgsql so its statements keep cached plans across calls, and forces those
-- plans generic (plan_cache_mode): left to choose, PostgreSQL planned each tile's large query
-- afresh, which cost more than rendering an empty tile. It runs without JIT: compiling a tile
-- query costs far more than running it. No outer `WHERE geom IS NOT NULL`: ST_AsMVT skips the
-- features ST_AsMVTGeom clipped away, and the filter made it clip every feature twice.

-- One unit of a 4096-unit tile at zoom z, in web-mercator metres.
CREATE OR REPLACE FUNCTION sg_tile_unit(p_z int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 40075016.68557849 / 2 ^ p_z / 4096 $$;

CREATE OR REPLACE FUNCTION sg_tile_bounds(p_z int, p_x int, p_y int,
  OUT tile geometry, OUT box geometry, OUT unit double precision)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- box: the tile plus 64 units of margin (the ST_AsMVTGeom buffer), in 4326, for the index.
  -- The margin is cut at the world's edge first: past ±180° the transform wraps the longitude and
  -- an edge tile's box would cover the wrong side of the world.
  SELECT ST_TileEnvelope(p_z, p_x, p_y),
         ST_Transform(ST_Intersection(ST_TileEnvelope(p_z, p_x, p_y, margin => 64.0 / 4096), ST_TileEnvelope(0, 0, 0)), 4326),
         sg_tile_unit(p_z)
$$;

-- Web mercator x / y of a longitude / latitude, as plain arithmetic (no reprojection of geometry).
CREATE OR REPLACE FUNCTION sg_mercator_x(lng double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lng * 20037508.342789244 / 180 $$;
CREATE OR REPLACE FUNCTION sg_mercator_y(lat double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ln(tan(pi() / 4 + radians(greatest(-85.06, least(85.06, lat))) / 2)) * 20037508.342789244 / pi()
$$;

-- Boundaries: clipped to the tile's box before reprojection (a z12 tile reprojects only the few
-- vertices near it) and simplified to a quarter of a tile unit in degrees, which is at most a
-- quarter unit in mercator at any latitude.
CREATE OR REPLACE FUNCTION sg_tile_boundary(g geometry, box geometry, unit double precision, keep_small boolean)
RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_Transform(ST_Simplify(ST_ClipByBox2D(g, box), unit / 4 / 111319.49, keep_small), 3857)
$$;

-- A country's feature id: its iso3 read as a base-26 number (AAA = 0), unique and stable.
CREATE OR REPLACE FUNCTION sg_country_fid(iso3 text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (ascii(substr(iso3, 1, 1)) - 65) * 676 + (ascii(substr(iso3, 2, 1)) - 65) * 26 + ascii(substr(iso3, 3, 1)) - 65
$$;

-- countries (z 0-12) and country_labels. p_attributes, keyed by iso3, carries what the progress
-- service computes in TypeScript: remaining_km2, status, deadline, affected, synthetic.
CREATE OR REPLACE FUNCTION sg_tile_countries(p_z int, p_x int, p_y int, p_attributes jsonb) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  b record := sg_tile_bounds(p_z, p_x, p_y);
  v_shapes bytea;
  v_labels bytea;
BEGIN
  SELECT ST_AsMVT(f, 'countries', 4096, 'geom', 'fid') INTO v_shapes FROM (
    SELECT sg_country_fid(c.iso3) AS fid,
           c.iso3::text AS iso3, c.name,
           coalesce((a.v ->> 'affected')::boolean, false) AS affected,
           coalesce((a.v ->> 'remaining_km2')::double precision, 0) AS remaining_km2,
           coalesce(a.v ->> 'status', 'none') AS status,
           a.v ->> 'deadline' AS deadline,
           coalesce((a.v ->> 'synthetic')::boolean, false) AS synthetic,
           ST_AsMVTGeom(sg_tile_boundary(c.geom, b.box, b.unit, true), b.tile, 4096, 64, true) AS geom
      FROM countries c
      LEFT JOIN LATERAL (SELECT p_attributes -> c.iso3::text AS v) a ON true
     WHERE c.geom && b.box
  ) f;

  SELECT ST_AsMVT(f, 'country_labels', 4096, 'geom', 'fid') INTO v_labels FROM (
    SELECT sg_country_fid(c.iso3) AS fid, c.iso3::text AS iso3, c.name,
           coalesce((p_attributes -> c.iso3::text ->> 'affected')::boolean, false) AS affected,
           round(c.area_km2::numeric, 1)::double precision AS area_km2,
           ST_AsMVTGeom(ST_Transform(c.label_point, 3857), b.tile, 4096, 0, true) AS geom
      FROM countries c
     WHERE c.label_point && b.box
  ) f;
  RETURN coalesce(v_shapes, '') || coalesce(v_labels, '');
END
$$;

-- provinces (z 3-12). p_remaining: remaining km² as of the asked day, keyed by province code.
CREATE OR REPLACE FUNCTION sg_tile_provinces(p_z int, p_x int, p_y int, p_remaining jsonb) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  b record := sg_tile_bounds(p_z, p_x, p_y);
  v_tile bytea;
BEGIN
  SELECT ST_AsMVT(f, 'provinces', 4096, 'geom', 'fid') INTO v_tile FROM (
    SELECT hashtext(p.code) & 2147483647 AS fid, p.code, p.name, p.country_iso3::text AS country_iso3,
           coalesce((p_remaining ->> p.code)::double precision, 0) AS remaining_km2,
           ST_AsMVTGeom(sg_tile_boundary(p.geom, b.box, b.unit, false), b.tile, 4096, 64, true) AS geom
      FROM provinces p
     WHERE p.geom && b.box
  ) f;
  RETURN coalesce(v_tile, '');
END
$$;

-- The data version (0028_data_version.sql): changes counted so far, as the caller's snapshot sees
-- them, after the database's oid. A restore recreates the database, so its oid is new and its
-- versions never repeat those a cache already holds.
CREATE OR REPLACE FUNCTION sg_data_version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text || '.' ||
         (b.changes + (SELECT count(*) FROM data_changes))::text
    FROM data_version_base b
$$;

-- Moves the counted changes into the base figure, keeping the version as every snapshot sees it:
-- rows of writes still in progress stay until a later fold. Run by the server now and then, so
-- that counting stays a few hundred rows at most.
CREATE OR REPLACE FUNCTION sg_fold_data_changes() RETURNS bigint
LANGUAGE sql AS $$
  WITH folded AS (DELETE FROM data_changes RETURNING 1)
  UPDATE data_version_base SET changes = changes + (SELECT count(*) FROM folded)
  RETURNING changes
$$;
