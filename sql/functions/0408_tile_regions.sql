-- Regions for tiles below z10, of hazards and of releases (the table and its triggers: migration
-- 0029). A member's bounding box marks the blocks it touches on its layer's grid; the members of
-- one country, kind and year whose box starts in the same region (16 blocks a side) form one
-- region, drawn as the union of their blocks, with their count and summed areas. Regions are fixed
-- on the world's grid of each zoom, so a region is the same in every tile it reaches and can be
-- kept between requests. Sums are per member: where hazards overlap they are not the union
-- figures of the API.

-- A block's side in web-mercator metres: four pixels of a 512-pixel tile for hazards; releases,
-- drawn per method and year, in coarser blocks (16 pixels from z8, 32 below) that keep a tile of
-- many years small. A tile's cost follows the corners of its shapes, which follow the blocks: at a
-- million hazards, two-pixel hazard blocks made the densest z6 tile 1,255 regions of 112,000
-- points and 90 ms; four-pixel blocks take a third of that.
CREATE OR REPLACE FUNCTION sg_tile_region_block(p_layer text, z int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_layer = 'hazards' THEN 32 WHEN z >= 8 THEN 128 ELSE 256 END * sg_tile_unit(z)
$$;

-- The block sizes as text, recorded on the kept regions' table to tell when they were drawn
-- with other blocks.
CREATE OR REPLACE FUNCTION sg_tile_region_rule() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'blocks in tile units: ' || string_agg(format('%s z%s %s', l, z, sg_tile_region_block(l, z) / sg_tile_unit(z)), ', ' ORDER BY l, z)
    FROM unnest(ARRAY['hazards', 'releases']) l, generate_series(4, 9) z
$$;

-- A member's parts at zooms p_from..p_to (none when it does not count).
CREATE OR REPLACE FUNCTION sg_tile_region_parts(p_layer text, p_from int, p_to int, p_id bigint, p_country char(3),
  p_kind text, p_year int, p_classification text, p_area double precision, p_remaining double precision,
  p_box box2d, p_live boolean)
RETURNS SETOF tile_region_part
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_layer, z::smallint, p_country, p_kind, p_year::smallint, b.bx0 / 16, b.by0 / 16, p_id, p_area, p_remaining,
         CASE WHEN p_classification = 'CHA' THEN p_area ELSE 0 END, b.bx0, b.by0, b.bx1, b.by1
    FROM generate_series(p_from, p_to) z
   CROSS JOIN LATERAL (SELECT sg_tile_region_block(p_layer, z) AS block, 20037508.342789244 AS o) k
   CROSS JOIN LATERAL (SELECT floor((ST_XMin(p_box) + k.o) / k.block)::int AS bx0,
                              floor((ST_YMin(p_box) + k.o) / k.block)::int AS by0,
                              floor((ST_XMax(p_box) + k.o) / k.block)::int AS bx1,
                              floor((ST_YMax(p_box) + k.o) / k.block)::int AS by1) b
   WHERE p_live
$$;

-- A hazard's parts at every kept zoom; a release's, with its hazard's country and liveness.
CREATE OR REPLACE FUNCTION sg_hazard_region_parts(h hazards) RETURNS SETOF tile_region_part
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT * FROM sg_tile_region_parts('hazards', 4, 9, h.id, h.country_iso3, h.contamination[1]::text, 0,
    h.classification::text, h.area_m2, h.remaining_m2, h.geom_3857::box2d, h.deleted_at IS NULL)
$$;
CREATE OR REPLACE FUNCTION sg_release_region_parts(l land_releases, p_country char(3), p_hazard_live boolean)
RETURNS SETOF tile_region_part
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT * FROM sg_tile_region_parts('releases', 4, 9, l.id, p_country, l.method::text,
    extract(year FROM l.completed_on)::int, NULL, l.area_m2, 0, l.geom_3857::box2d,
    p_hazard_live AND l.status = 'approved')
$$;

-- The blocks bx0..bx1 x by0..by1 of a layer at zoom z as one web-mercator rectangle. A single
-- expression, so that PostgreSQL inlines it: called per member, a function call each time cost
-- seconds.
CREATE OR REPLACE FUNCTION sg_tile_region_blocks(p_layer text, z int, bx0 int, by0 int, bx1 int, by1 int)
RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_MakeEnvelope(bx0 * sg_tile_region_block(p_layer, z) - 20037508.342789244,
                         by0 * sg_tile_region_block(p_layer, z) - 20037508.342789244,
                         (bx1 + 1) * sg_tile_region_block(p_layer, z) - 20037508.342789244,
                         (by1 + 1) * sg_tile_region_block(p_layer, z) - 20037508.342789244, 3857)
$$;

-- The web-mercator box of regions rx0..rx1 x ry0..ry1 of a layer at zoom z.
CREATE OR REPLACE FUNCTION sg_tile_region_box(p_layer text, z int, rx0 int, ry0 int, rx1 int, ry1 int) RETURNS box2d
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sg_tile_region_blocks(p_layer, z, rx0 * 16, ry0 * 16, rx1 * 16 + 15, ry1 * 16 + 15)::box2d
$$;

-- The regions of tile z/x/y and one more on each side (region rows count up from the south).
CREATE OR REPLACE FUNCTION sg_tile_region_reach(p_layer text, z int, x int, y int) RETURNS box2d
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sg_tile_region_box(p_layer, z, x * n - 1, (2 ^ z)::int * n - y * n - n - 1, x * n + n, (2 ^ z)::int * n - y * n)
    FROM (SELECT round(4096 * sg_tile_unit(z) / (16 * sg_tile_region_block(p_layer, z)))::int AS n) per_tile
$$;

-- The regions of a layer at zoom p_z of the members whose bounding box starts inside p_area (web
-- mercator), drawn from the ledger itself: as of the end of p_as_of (NULL: today, with the stored
-- remaining areas), without the countries in p_hidden and, when p_only is given, of those countries
-- alone. Releases count when approved, completed by p_as_of, and their hazard is not deleted. A
-- shape here is its rows of blocks, rectangles that only touch: a tile draws them as they are, and
-- the kept regions store their union (dissolving them costs more than a tile of a past day is
-- worth).
CREATE OR REPLACE FUNCTION sg_tile_regions_from_ledger(p_layer text, p_z int, p_area box2d, p_as_of date,
  p_hidden char(3)[], p_only char(3)[] DEFAULT NULL)
RETURNS SETOF tile_regions
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH members AS (
    SELECT h.id, h.country_iso3, h.contamination[1]::text AS kind, 0 AS year, h.classification::text AS classification,
           h.area_m2, r.m2 AS remaining_m2, h.geom_3857::box2d AS box
      FROM hazards h
     CROSS JOIN LATERAL sg_hazard_remaining_as_of(h.id, h.remaining_m2, p_as_of) r
     WHERE p_layer = 'hazards' AND h.geom_3857 && ST_SetSRID(p_area::geometry, 3857) AND h.deleted_at IS NULL
       AND (p_as_of IS NULL OR h.recorded_on <= p_as_of)
    UNION ALL
    SELECT l.id, h.country_iso3, l.method::text, extract(year FROM l.completed_on)::int, NULL, l.area_m2, 0,
           l.geom_3857::box2d
      FROM land_releases l JOIN hazards h ON h.id = l.hazard_id
     WHERE p_layer = 'releases' AND l.geom_3857 && ST_SetSRID(p_area::geometry, 3857) AND l.status = 'approved'
       AND (p_as_of IS NULL OR l.completed_on <= p_as_of) AND h.deleted_at IS NULL
  ), parts AS (
    SELECT p.*
      FROM members m
     CROSS JOIN LATERAL sg_tile_region_parts(p_layer, p_z, p_z, m.id, m.country_iso3, m.kind, m.year,
                          m.classification, m.area_m2, m.remaining_m2, m.box, true) p
     WHERE NOT m.country_iso3 = ANY(p_hidden) AND (p_only IS NULL OR m.country_iso3 = ANY(p_only))
       AND ST_XMin(m.box) >= ST_XMin(p_area) AND ST_XMin(m.box) < ST_XMax(p_area)
       AND ST_YMin(m.box) >= ST_YMin(p_area) AND ST_YMin(m.box) < ST_YMax(p_area)
  ), blocks AS (
    SELECT DISTINCT p.country_iso3, p.kind, p.year, p.rx, p.ry, bx, byy
      FROM parts p, generate_series(p.bx0, p.bx1) AS bx, generate_series(p.by0, p.by1) AS byy
  ), runs AS (
    -- Consecutive blocks of a row become one rectangle: the union then works on a few
    -- rectangles that only touch instead of every member's box.
    SELECT country_iso3, kind, year, rx, ry, byy, min(bx) AS bx0, max(bx) AS bx1
      FROM (SELECT *, bx - row_number() OVER (PARTITION BY country_iso3, kind, year, rx, ry, byy ORDER BY bx) AS run
              FROM blocks) b
     GROUP BY country_iso3, kind, year, rx, ry, byy, run
  ), shapes AS (
    SELECT country_iso3, kind, year, rx, ry,
           ST_Collect(sg_tile_region_blocks(p_layer, p_z, bx0, byy, bx1, byy)) AS shape
      FROM runs GROUP BY 1, 2, 3, 4, 5
  )
  SELECT p_layer, p_z::smallint, g.country_iso3, g.kind, g.year::smallint, g.rx, g.ry, g.fid, g.count, g.area_m2,
         g.remaining_m2, g.cha_m2, s.shape
    FROM (SELECT country_iso3, kind, year, rx, ry, min(id) AS fid, count(*) AS count,
                 sum(area_m2::numeric) AS area_m2, sum(remaining_m2::numeric) AS remaining_m2,
                 sum(cha_m2::numeric) AS cha_m2
            FROM parts GROUP BY 1, 2, 3, 4, 5) g
    JOIN shapes s USING (country_iso3, kind, year, rx, ry)
$$;

-- Every kept region of the layers p_layers, of the countries p_only (NULL: all), drawn from the
-- ledger and dissolved as the table keeps them: what a full rebuild compares with, and what a
-- country changed in bulk is drawn again from.
CREATE OR REPLACE FUNCTION sg_tile_regions_drawn(p_layers text[], p_only char(3)[] DEFAULT NULL)
RETURNS SETOF tile_regions
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT r.layer, r.z, r.country_iso3, r.kind, r.year, r.rx, r.ry, r.fid, r.count, r.area_m2, r.remaining_m2, r.cha_m2,
         ST_UnaryUnion(r.shape)
    FROM unnest(p_layers) layer, generate_series(4, 9) z,
         sg_tile_regions_from_ledger(layer, z, ST_TileEnvelope(0, 0, 0)::box2d, NULL, '{}', p_only) r
$$;

-- The regions a tile of a layer shows: today's kept ones, or as of a past day those drawn from that
-- day's ledger, of members whose box starts in a region of the tile or of its margin (a member
-- wider than a region that starts farther away is left out of that tile); none of p_hidden's.
CREATE OR REPLACE FUNCTION sg_tile_regions_for_tile(p_layer text, p_z int, p_x int, p_y int, p_as_of date,
  p_hidden char(3)[])
RETURNS SETOF tile_regions
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT * FROM tile_regions k
   -- z as smallint: btree_gist compares a smallint key with a smallint only, and an integer here
   -- left the index reading every zoom's regions under the tile.
   WHERE p_as_of IS NULL AND k.layer = p_layer AND k.z = p_z::smallint
     AND k.shape && ST_TileEnvelope(p_z, p_x, p_y, margin => 64.0 / 4096) AND NOT k.country_iso3 = ANY(p_hidden)
  UNION ALL
  SELECT * FROM sg_tile_regions_from_ledger(p_layer, p_z, sg_tile_region_reach(p_layer, p_z, p_x, p_y), p_as_of, p_hidden) d
   WHERE p_as_of IS NOT NULL AND d.shape && ST_TileEnvelope(p_z, p_x, p_y, margin => 64.0 / 4096)
$$;

-- Applies the parts members had and have now (tile_region_net, filled by the flush below: one
-- row per member and zoom on each side) to the kept regions. Counts and sums move by the
-- difference. A region that gains blocks adds them to its shape; one that may lose blocks (a
-- member left it, or its box changed) is drawn again from the ledger, which also finds its
-- smallest id again. Regions are locked in key order, so concurrent writers cannot deadlock on
-- them.
CREATE OR REPLACE FUNCTION sg_tile_regions_apply() RETURNS void
-- Without JIT: the redraw's estimates are large enough to start compiling, which cost a second
-- on every write while the redraw itself mostly has nothing to do.
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  v_changes bigint;
BEGIN
  -- One work table per session, emptied at every commit.
  IF to_regclass('pg_temp.tile_region_changes') IS NULL THEN
    CREATE TEMP TABLE tile_region_changes (
      layer text, z smallint, country_iso3 char(3), kind text, year smallint, rx int, ry int, redraw boolean,
      fid bigint, count bigint, area_m2 numeric, remaining_m2 numeric, cha_m2 numeric, added geometry
    ) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM tile_region_changes;

  INSERT INTO tile_region_changes
  WITH o AS (SELECT (part).* FROM tile_region_net WHERE NOT after),
       n AS (SELECT (part).* FROM tile_region_net WHERE after),
  moved_out AS (
    -- Parts that are gone or whose blocks changed: their region may lose blocks.
    SELECT o.* FROM o LEFT JOIN n USING (layer, z, id)
     WHERE (n.country_iso3, n.kind, n.year, n.rx, n.ry, n.bx0, n.by0, n.bx1, n.by1)
           IS DISTINCT FROM (o.country_iso3, o.kind, o.year, o.rx, o.ry, o.bx0, o.by0, o.bx1, o.by1)
  ), moved_in AS (
    SELECT n.* FROM n LEFT JOIN o USING (layer, z, id)
     WHERE (n.country_iso3, n.kind, n.year, n.rx, n.ry, n.bx0, n.by0, n.bx1, n.by1)
           IS DISTINCT FROM (o.country_iso3, o.kind, o.year, o.rx, o.ry, o.bx0, o.by0, o.bx1, o.by1)
  ), signed AS (
    SELECT layer, z, country_iso3, kind, year, rx, ry, -1 AS sign, area_m2, remaining_m2, cha_m2, NULL::bigint AS id
      FROM o
    UNION ALL
    SELECT layer, z, country_iso3, kind, year, rx, ry, 1, area_m2, remaining_m2, cha_m2, id FROM n
  )
  SELECT d.layer, d.z, d.country_iso3, d.kind, d.year, d.rx, d.ry, r.z IS NOT NULL, d.fid, d.count, d.area_m2,
         d.remaining_m2, d.cha_m2, a.added
    FROM (SELECT layer, z, country_iso3, kind, year, rx, ry, min(id) AS fid, sum(sign) AS count,
                 sum(sign * area_m2::numeric) AS area_m2, sum(sign * remaining_m2::numeric) AS remaining_m2,
                 sum(sign * cha_m2::numeric) AS cha_m2
            FROM signed GROUP BY 1, 2, 3, 4, 5, 6, 7) d
    LEFT JOIN (SELECT DISTINCT layer, z, country_iso3, kind, year, rx, ry FROM moved_out) r
           USING (layer, z, country_iso3, kind, year, rx, ry)
    LEFT JOIN (SELECT layer, z, country_iso3, kind, year, rx, ry,
                      ST_Collect(sg_tile_region_blocks(layer, z, bx0, by0, bx1, by1)) AS added
                 FROM (SELECT DISTINCT layer, z, country_iso3, kind, year, rx, ry, bx0, by0, bx1, by1 FROM moved_in) boxes
                GROUP BY 1, 2, 3, 4, 5, 6, 7) a
           USING (layer, z, country_iso3, kind, year, rx, ry);
  GET DIAGNOSTICS v_changes = ROW_COUNT;
  IF v_changes >= sg_tile_regions_large() THEN
    ANALYZE tile_region_changes;
  END IF;

  PERFORM 1 FROM tile_regions r JOIN tile_region_changes c USING (layer, z, country_iso3, kind, year, rx, ry)
   ORDER BY layer, z, country_iso3, kind, year, rx, ry FOR UPDATE OF r;

  -- Kept regions that only moved by sums, or gained blocks; then the new regions. Two writers
  -- creating the same region at once: the second fails on the key, nothing is lost. Blocks whose
  -- box the shape already covers (a release mostly lands inside its region) leave it as it is:
  -- the test costs a quarter of the union, and an unchanged shape is not written or indexed
  -- again (at a million hazards, about 5 ms of a release write's 35 to 40). The box, not the
  -- blocks: blocks of several members may overlap, which GEOS refuses to test.
  UPDATE tile_regions r
     SET fid = least(r.fid, c.fid), count = r.count + c.count, area_m2 = r.area_m2 + c.area_m2,
         remaining_m2 = r.remaining_m2 + c.remaining_m2, cha_m2 = r.cha_m2 + c.cha_m2,
         shape = CASE WHEN c.added IS NULL OR ST_Covers(r.shape, ST_Envelope(c.added)) THEN r.shape
                      ELSE ST_UnaryUnion(ST_Collect(r.shape, c.added)) END
    FROM tile_region_changes c
   WHERE (r.layer, r.z, r.country_iso3, r.kind, r.year, r.rx, r.ry) = (c.layer, c.z, c.country_iso3, c.kind, c.year, c.rx, c.ry)
     AND NOT c.redraw AND (c.added IS NOT NULL OR (c.count, c.area_m2, c.remaining_m2, c.cha_m2) <> (0, 0, 0, 0));
  INSERT INTO tile_regions
  SELECT c.layer, c.z, c.country_iso3, c.kind, c.year, c.rx, c.ry, c.fid, c.count, c.area_m2, c.remaining_m2, c.cha_m2,
         ST_UnaryUnion(c.added)
    FROM tile_region_changes c
   WHERE NOT c.redraw AND c.added IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM tile_regions r
                      WHERE (r.layer, r.z, r.country_iso3, r.kind, r.year, r.rx, r.ry)
                          = (c.layer, c.z, c.country_iso3, c.kind, c.year, c.rx, c.ry))
   ORDER BY c.layer, c.z, c.country_iso3, c.kind, c.year, c.rx, c.ry;

  -- Regions that may have lost blocks: drawn again from the ledger (no member left: gone).
  DELETE FROM tile_regions r USING tile_region_changes c
   WHERE (r.layer, r.z, r.country_iso3, r.kind, r.year, r.rx, r.ry) = (c.layer, c.z, c.country_iso3, c.kind, c.year, c.rx, c.ry)
     AND c.redraw;
  INSERT INTO tile_regions
  SELECT d.layer, d.z, d.country_iso3, d.kind, d.year, d.rx, d.ry, d.fid, d.count, d.area_m2, d.remaining_m2, d.cha_m2,
         ST_UnaryUnion(d.shape)
    FROM tile_region_changes c
   CROSS JOIN LATERAL sg_tile_regions_from_ledger(c.layer, c.z, sg_tile_region_box(c.layer, c.z, c.rx, c.ry, c.rx, c.ry),
                                                  NULL, '{}', ARRAY[c.country_iso3]) d
   WHERE c.redraw AND d.kind = c.kind AND d.year = c.year
   ORDER BY d.layer, d.z, d.country_iso3, d.kind, d.year, d.rx, d.ry;
END
$$;

-- How many parts make a transaction large (see the flush).
CREATE OR REPLACE FUNCTION sg_tile_regions_large() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 1000 $$;

-- Numbers a statement's notes and makes sure the session's notes table exists and the
-- transaction's flush is pending. The count is a setting local to the transaction: reading the
-- largest number from the notes made a transaction of many small statements quadratic.
CREATE OR REPLACE FUNCTION sg_tile_regions_statement() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer;
BEGIN
  -- One table per session, emptied at every commit (after the flush, which runs first).
  IF to_regclass('pg_temp.tile_region_notes') IS NULL THEN
    CREATE TEMP TABLE tile_region_notes (statement integer, after boolean, part tile_region_part) ON COMMIT DELETE ROWS;
  END IF;
  v_statement := coalesce(nullif(current_setting('safeground.tile_region_statements', true), ''), '0')::integer + 1;
  PERFORM set_config('safeground.tile_region_statements', v_statement::text, true);
  IF v_statement = 1 THEN
    INSERT INTO tile_regions_pending VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN v_statement;
END
$$;

-- Applies what the transaction noted, net: a member's parts before its first noted statement and
-- after its last (a hazard inserted and deleted in one transaction leaves nothing). Where at least
-- half of a country's members of a layer changed (a load, a large import, the full recompute), its
-- regions of that layer are drawn again whole: cheaper than growing them part by part.
CREATE OR REPLACE FUNCTION sg_tile_regions_flush() RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  v_layer text;
  v_redraw char(3)[];
  v_parts bigint;
BEGIN
  DELETE FROM tile_regions_pending WHERE xid = pg_current_xact_id();
  PERFORM set_config('safeground.tile_region_statements', '0', true);
  IF to_regclass('pg_temp.tile_region_notes') IS NULL THEN RETURN; END IF;
  IF to_regclass('pg_temp.tile_region_net') IS NULL THEN
    CREATE TEMP TABLE tile_region_net (after boolean, part tile_region_part) ON COMMIT DELETE ROWS;
  END IF;
  -- Left over only by a flush earlier in this transaction.
  DELETE FROM tile_region_net;
  -- Windows rather than a join to the spans: one sort, whatever plan a small first flush left.
  INSERT INTO tile_region_net
  SELECT after, part FROM (
    SELECT after, part, statement,
           min(statement) OVER w AS first_statement, max(statement) OVER w AS last_statement
      FROM tile_region_notes WINDOW w AS (PARTITION BY (part).layer, (part).z, (part).id)) n
   WHERE statement = CASE WHEN after THEN last_statement ELSE first_statement END;
  GET DIAGNOSTICS v_parts = ROW_COUNT;
  -- The common write is small, and emptying or analysing a table makes every plan that reads it
  -- be made again (about 10 ms a write): only a large transaction truncates, gathers statistics
  -- so that what follows is planned for its size, and considers drawing countries again.
  IF v_parts < sg_tile_regions_large() THEN
    DELETE FROM tile_region_notes;
  ELSE
    TRUNCATE tile_region_notes;
    ANALYZE tile_region_net;
    FOREACH v_layer IN ARRAY ARRAY['hazards', 'releases'] LOOP
      SELECT coalesce(array_agg(c.country_iso3 ORDER BY c.country_iso3), '{}') INTO v_redraw
        FROM (SELECT (part).country_iso3, count(DISTINCT (part).id) AS changed
                FROM tile_region_net WHERE (part).layer = v_layer AND (part).z = 9 GROUP BY 1) c
       WHERE 2 * c.changed >= (SELECT coalesce(sum(r.count), 0) FROM tile_regions r
                                WHERE r.layer = v_layer AND r.z = 9 AND r.country_iso3 = c.country_iso3);
      CONTINUE WHEN cardinality(v_redraw) = 0;
      -- A member that moved between a redrawn country and another keeps its part in the other.
      DELETE FROM tile_region_net WHERE (part).layer = v_layer AND (part).country_iso3 = ANY(v_redraw);
      DELETE FROM tile_regions WHERE layer = v_layer AND country_iso3 = ANY(v_redraw);
      INSERT INTO tile_regions
      SELECT * FROM sg_tile_regions_drawn(ARRAY[v_layer], v_redraw) ORDER BY z, country_iso3, kind, year, rx, ry;
      ANALYZE tile_region_net;
    END LOOP;
  END IF;
  IF EXISTS (SELECT 1 FROM tile_region_net) THEN
    PERFORM sg_tile_regions_apply();
  END IF;
END
$$;

-- Draws every region again from the ledger and returns how many kept ones differed (the full
-- recompute reports it; anything but 0 is a fault of the maintenance above).
CREATE OR REPLACE FUNCTION sg_rebuild_tile_regions() RETURNS bigint
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  v_drift bigint;
BEGIN
  -- What this transaction changed first, so that the comparison and the commit see it once.
  PERFORM sg_tile_regions_flush();
  LOCK TABLE tile_regions IN EXCLUSIVE MODE;
  CREATE TEMP TABLE rebuilt_tile_regions ON COMMIT DROP AS
  SELECT * FROM sg_tile_regions_drawn(ARRAY['hazards', 'releases']);
  SELECT count(*) INTO v_drift
    FROM rebuilt_tile_regions b FULL JOIN tile_regions k USING (layer, z, country_iso3, kind, year, rx, ry)
   WHERE b.fid IS NULL OR k.fid IS NULL
      OR (b.fid, b.count, b.area_m2, b.remaining_m2, b.cha_m2) IS DISTINCT FROM (k.fid, k.count, k.area_m2, k.remaining_m2, k.cha_m2)
      OR NOT ST_Equals(b.shape, k.shape);
  DELETE FROM tile_regions;
  INSERT INTO tile_regions SELECT * FROM rebuilt_tile_regions;
  DROP TABLE rebuilt_tile_regions;
  RETURN v_drift;
END
$$;

-- A database whose ledger predates the regions, or whose regions were drawn with other blocks,
-- gets them drawn again, here, where the functions that draw them exist (migrations run before
-- this directory). At a million hazards this takes some minutes, once.
DO $$
DECLARE
  v_rule constant text := sg_tile_region_rule();
BEGIN
  IF EXISTS (SELECT 1 FROM hazards WHERE deleted_at IS NULL)
     AND (obj_description('tile_regions'::regclass, 'pg_class') IS DISTINCT FROM v_rule
          OR NOT EXISTS (SELECT 1 FROM tile_regions)) THEN
    PERFORM sg_rebuild_tile_regions();
  END IF;
  IF obj_description('tile_regions'::regclass, 'pg_class') IS DISTINCT FROM v_rule THEN
    EXECUTE format('COMMENT ON TABLE tile_regions IS %L', v_rule);
  END IF;
END
$$;
