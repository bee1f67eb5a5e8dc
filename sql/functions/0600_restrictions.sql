-- Sensitive locations: generalised geometry for countries that restrict their polygons.
--
-- The grid is square cells of cell_km x cell_km in EPSG:6933 (WGS 84 / EASE-Grid 2.0 Global, a
-- cylindrical equal-area projection), aligned at its origin. So every cell covers cell_km² on the
-- ellipsoid at any latitude, its edges are meridians and parallels (a rectangle in longitude and
-- latitude, and in web mercator), and a cell is the same wherever it is computed: lists, exports,
-- history and tiles all show the same cells. A feature is shown as the block of cells covering its
-- extent (tiles: one feature per cell, with counts and areas); no vertex of the stored polygon survives.
--
-- Who sees what is decided in TypeScript (server/src/restrictions/restrictions.service.ts) and
-- arrives here as the reader's exact scope: a text[] of country codes whose polygons the reader
-- may see exactly, '*' meaning every country. The restriction itself is read here, in the same
-- statement as the features, so no answer can mix an old restriction with new data.

-- The cells a polygon's interior touches, each with the polygon's area inside it (m², equal-area).
CREATE OR REPLACE FUNCTION sg_generalise_cells(g geometry, cell_km double precision)
RETURNS TABLE (i integer, j integer, cell geometry, area_m2 double precision)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT s.i, s.j, ST_Transform(s.geom, 4326), ST_Area(ST_Intersection(s.geom, p.g))
    FROM (SELECT ST_Transform(g, 6933) AS g) p
   CROSS JOIN LATERAL ST_SquareGrid(cell_km * 1000, p.g) s
   WHERE ST_Intersects(s.geom, p.g) AND NOT ST_Touches(s.geom, p.g)
$$;

-- A feature generalised to the block of whole cells that covers its extent (MultiPolygon, 4326).
-- The projection is cylindrical, so the extent in EPSG:6933 is the transformed longitude/latitude
-- extent and the block is found by arithmetic on two corners, with no overlay: a list of a
-- thousand features costs milliseconds. A block is at least as coarse as the cells touched.
CREATE OR REPLACE FUNCTION sg_generalise(g geometry, cell_km double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_Multi(ST_Transform(ST_MakeEnvelope(
           floor(ST_X(lo) / s) * s, floor(ST_Y(lo) / s) * s,
           greatest(ceil(ST_X(hi) / s), floor(ST_X(lo) / s) + 1) * s, greatest(ceil(ST_Y(hi) / s), floor(ST_Y(lo) / s) + 1) * s, 6933), 4326))
    FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(ST_XMin(g), ST_YMin(g)), ST_SRID(g)), 6933) AS lo,
                 ST_Transform(ST_SetSRID(ST_MakePoint(ST_XMax(g), ST_YMax(g)), ST_SRID(g)), 6933) AS hi,
                 cell_km * 1000 AS s) x
   WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
$$;

-- The restricted countries a reader with exact scope p_exact sees as cells, with their cell size.
-- A query over many rows joins this once rather than asking sg_restriction_cell_km per row.
CREATE OR REPLACE FUNCTION sg_hidden_cells(p_exact text[]) RETURNS TABLE (iso3 char(3), cell_km double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.iso3, c.restriction_cell_km FROM countries c
   WHERE c.restricted AND NOT ('*' = ANY(p_exact) OR c.iso3::text = ANY(p_exact))
$$;

-- The cell size in which a feature of country p_iso3 is shown to a reader with exact scope
-- p_exact; NULL when the reader sees it exactly.
CREATE OR REPLACE FUNCTION sg_restriction_cell_km(p_iso3 text, p_exact text[]) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT h.cell_km FROM sg_hidden_cells(p_exact) h WHERE h.iso3 = p_iso3::char(3)
$$;

-- A feature's geometry as this reader may see it. One expression with no FROM, so the planner
-- inlines it into the query instead of calling a function per row.
CREATE OR REPLACE FUNCTION sg_visible_geometry(g geometry, p_iso3 text, p_exact text[]) RETURNS geometry
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN sg_restriction_cell_km(p_iso3, p_exact) IS NULL THEN g
              ELSE sg_generalise(g, sg_restriction_cell_km(p_iso3, p_exact)) END
$$;

-- The countries whose polygons this reader must not see exactly.
CREATE OR REPLACE FUNCTION sg_hidden_countries(p_exact text[]) RETURNS char(3)[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(h.iso3 ORDER BY h.iso3), '{}') FROM sg_hidden_cells(p_exact) h
$$;

-- The 4326 box to search for features whose cells may reach a web-mercator tile: the tile in
-- EPSG:6933 widened by the largest cell of the hidden countries (clamped to the projection's
-- extent), so a cell straddling tiles carries the same figures in each.
CREATE OR REPLACE FUNCTION sg_cells_reach(p_tile geometry, p_hidden char(3)[]) RETURNS geometry
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT ST_Transform(ST_MakeEnvelope(
           greatest(ST_XMin(t) - m, -17367530), greatest(ST_YMin(t) - m, -7314540),
           least(ST_XMax(t) + m, 17367530), least(ST_YMax(t) + m, 7314540), 6933), 4326)
    FROM (SELECT ST_Transform(p_tile, 6933)::box2d AS t,
                 (SELECT max(restriction_cell_km) * 1000 FROM countries WHERE iso3 = ANY(p_hidden)) AS m) x
   WHERE x.m IS NOT NULL
$$;

-- A cell's feature id in tiles: far above any record id (2^52), unique per cell (and per release
-- method), exact in a JavaScript number.
CREATE OR REPLACE FUNCTION sg_cell_fid(i integer, j integer, variant integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 4503599627370496 + (((i::bigint + 32768) * 65536 + (j + 32768)) * 4 + variant)
$$;

-- The unit in which outside readers get figures that locate hazards inside a country (province
-- figures, the areas of tile cells): 1% of a cell's area, 1 km² for 10 km cells. A hazard smaller
-- than that cannot be placed within its cell by how its area splits across a grid line or a
-- province boundary. The rest of the rule is in server/src/restrictions/disclosure.ts.
CREATE OR REPLACE FUNCTION sg_disclosure_unit_m2(cell_km double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (cell_km * 1000) ^ 2 / 100 $$;

-- An area (m²) rounded to that unit.
CREATE OR REPLACE FUNCTION sg_disclosed_m2(m2 double precision, cell_km double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (round(m2 / sg_disclosure_unit_m2(cell_km)) * sg_disclosure_unit_m2(cell_km))::bigint
$$;

-- Whether a tile reaches a restricted country (or the cells of its hazards): such tiles are sent
-- Cache-Control: private, so no shared cache keeps anything of a restricted country.
-- Asked with every tile it renders, so it keeps one generic plan (plpgsql) instead of being
-- planned again inside each tile's query.
CREATE OR REPLACE FUNCTION sg_tile_meets_restricted(p_z int, p_x int, p_y int) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN EXISTS (
    SELECT 1 FROM countries c
     CROSS JOIN LATERAL sg_cells_reach(ST_TileEnvelope(p_z, p_x, p_y), ARRAY[c.iso3]::char(3)[]) AS reach
      JOIN country_pieces cp ON cp.iso3 = c.iso3 AND cp.geom && reach AND ST_Intersects(cp.geom, reach)
     WHERE c.restricted);
END
$$;

-- Hazards of hidden countries as one feature per cell (web mercator geometry): how many hazards
-- touch it, their area inside it, the remaining part of that area (each hazard's remaining share
-- applied to its area in the cell), and the contamination and classification of most of it.
-- Sums are per hazard, like the dissolved low-zoom features: overlaps are not the union figures.
-- Areas are rounded to the disclosure unit, and the remaining share is that of the rounded areas.
CREATE OR REPLACE FUNCTION sg_tile_hazard_cells(p_tile geometry, p_hidden char(3)[], p_as_of date)
RETURNS TABLE (fid bigint, classification text, contamination text, count bigint, area_m2 bigint,
               remaining_m2 bigint, remaining_share double precision, cell_km double precision, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH members AS (
    SELECT h.classification::text AS classification, h.contamination[1]::text AS contamination, c.restriction_cell_km AS cell_km,
           r.m2 / h.area_m2 AS remaining_share,
           h.geom
      FROM hazards h JOIN countries c ON c.iso3 = h.country_iso3
      CROSS JOIN LATERAL sg_hazard_remaining_as_of(h.id, p_as_of) r
     WHERE cardinality(p_hidden) > 0 AND h.country_iso3 = ANY(p_hidden) AND h.geom && sg_cells_reach(p_tile, p_hidden)
       AND h.deleted_at IS NULL AND h.area_m2 > 0 AND (p_as_of IS NULL OR h.recorded_on <= p_as_of)
  ), pieces AS (
    SELECT m.classification, m.contamination, m.cell_km, m.remaining_share, p.i, p.j, p.cell, p.area_m2
      FROM members m CROSS JOIN LATERAL sg_generalise_cells(m.geom, m.cell_km) p
  )
  SELECT sg_cell_fid(i, j, 0), classification, contamination, count, area_m2, remaining_m2,
         round((remaining_m2::numeric / nullif(area_m2, 0)), 4)::double precision, cell_km, geom
    FROM (
      SELECT i, j, cell_km, mode() WITHIN GROUP (ORDER BY classification) AS classification,
             mode() WITHIN GROUP (ORDER BY contamination) AS contamination, count(*) AS count,
             sg_disclosed_m2(sum(area_m2), cell_km) AS area_m2, sg_disclosed_m2(sum(area_m2 * remaining_share), cell_km) AS remaining_m2,
             ST_Transform((array_agg(cell))[1], 3857) AS geom
        FROM pieces GROUP BY cell_km, i, j
    ) c
$$;

-- Approved releases of hidden countries as one feature per cell and method (areas rounded likewise).
CREATE OR REPLACE FUNCTION sg_tile_release_cells(p_tile geometry, p_hidden char(3)[], p_as_of date)
RETURNS TABLE (fid bigint, method text, count bigint, area_m2 bigint, cell_km double precision, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH members AS (
    SELECT l.method, c.restriction_cell_km AS cell_km, l.geom
      FROM land_releases l JOIN hazards h ON h.id = l.hazard_id JOIN countries c ON c.iso3 = h.country_iso3
     WHERE cardinality(p_hidden) > 0 AND h.country_iso3 = ANY(p_hidden) AND l.geom && sg_cells_reach(p_tile, p_hidden)
       AND l.status = 'approved' AND h.deleted_at IS NULL AND (p_as_of IS NULL OR l.completed_on <= p_as_of)
  ), pieces AS (
    SELECT m.method, m.cell_km, p.i, p.j, p.cell, p.area_m2
      FROM members m CROSS JOIN LATERAL sg_generalise_cells(m.geom, m.cell_km) p
  )
  SELECT sg_cell_fid(i, j, CASE method WHEN 'cancelled' THEN 0 WHEN 'reduced' THEN 1 ELSE 2 END), method::text,
         count(*), sg_disclosed_m2(sum(area_m2), cell_km), cell_km, ST_Transform((array_agg(cell))[1], 3857)
    FROM pieces GROUP BY cell_km, i, j, method
$$;

-- A point (e.g. a hazard's centroid in the Article 7 report) moved to the centre of its cell.
CREATE OR REPLACE FUNCTION sg_generalise_point(p geometry, cell_km double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_Transform(ST_SetSRID(ST_MakePoint((floor(ST_X(q) / s) + 0.5) * s, (floor(ST_Y(q) / s) + 0.5) * s), 6933), 4326)
    FROM (SELECT ST_Transform(p, 6933) AS q, cell_km * 1000 AS s) x
$$;
