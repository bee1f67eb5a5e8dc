-- Remaining-area engine: the rules are stated in README.md, "The numbers".
--
-- remaining(hazard, D) = hazard geometry minus the union of its own approved releases completed
-- on or before D. The remaining area of a country / province / contamination type is the geodesic
-- area of the UNION of the remaining geometries of its hazards recorded on or before D, so that
-- overlapping hazards are counted once.
--
-- To avoid re-dissolving a whole country on every write, hazards are grouped into clusters:
-- connected components of intersecting hazard geometries within a country. Remaining geometry
-- lies inside the hazard geometry, so different clusters never overlap and a country's union area
-- is the plain sum over its clusters. Each cluster stores its per-day effect (area_cluster_days)
-- and the country totals (area_country_days) are kept by subtracting a cluster's old rows and
-- adding its new ones or, when only its releases changed, by adding the differences between its
-- old and new rows (sg_recount_clusters), all inside the writing transaction.

-- A balance's remaining area: what was found less what each method released. The summaries'
-- released figures count overlapping ground once already, so this is a plain difference.
CREATE OR REPLACE FUNCTION sg_remaining_m2(p_found double precision, p_cancelled double precision,
                                           p_reduced double precision, p_cleared double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_found - p_cancelled - p_reduced - p_cleared
$$;

-- What remains of one hazard's geometry once p_released (the union of the releases counted; NULL
-- for none) is taken out, and its geodesic area, never more than the hazard's own. Without
-- releases the remaining area is the hazard's own: hazards.area_m2 is exactly
-- sg_geodesic_area(geom) (0009_engine_bulk.sql), so nothing needs measuring. A set-returning
-- SQL function, so the planner inlines it into a bulk caller's query. The difference is a
-- subquery that is not flattened (OFFSET 0): flattened, its expression was copied into the area
-- and into each use of the result, and the difference computed again for each.
CREATE OR REPLACE FUNCTION sg_hazard_remainder(p_geom geometry, p_area_m2 double precision, p_released geometry)
RETURNS TABLE (g geometry, m2 double precision)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT d.g, CASE WHEN p_released IS NULL THEN p_area_m2 ELSE LEAST(sg_geodesic_area(d.g), p_area_m2) END
    FROM (SELECT CASE WHEN p_released IS NULL THEN p_geom ELSE sg_polygonal(ST_Difference(p_geom, p_released)) END AS g
          OFFSET 0) d
$$;

-- Current remaining geometry of the given hazards (all approved releases, whatever their date).
-- Array arguments are joined through unnest, never filtered with = ANY: a recompute passes every
-- hazard, and = ANY over 100,000 elements per row is quadratic. PL/pgSQL with a generic plan, so
-- that the plan is kept between writes instead of made at each (0.55 ms a write): it probes the
-- hazards' key once per hazard, which serves one hazard as well as an import's 100,000.
CREATE OR REPLACE FUNCTION sg_refresh_hazard_remaining(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  UPDATE hazards h
     SET remaining_geom = rem.g, remaining_m2 = rem.m2
    FROM (
      SELECT h2.id, d.g, d.m2
        FROM unnest(p_ids) AS ids(id)
        JOIN hazards h2 ON h2.id = ids.id
        LEFT JOIN LATERAL (
          SELECT ST_Union(lr.geom) AS g
            FROM land_releases lr
           WHERE lr.hazard_id = h2.id AND lr.status = 'approved'
        ) r ON true
        -- Not flattened either, so that the filter and the SET use the remainder as computed once.
        CROSS JOIN LATERAL (SELECT * FROM sg_hazard_remainder(h2.geom, h2.area_m2, r.g) OFFSET 0) d
    ) rem
   -- Rewriting an unchanged row costs a new tuple and an entry in every index: a bulk import
   -- passes 100,000 hazards whose remaining geometry (without releases) is already their own.
   WHERE h.id = rem.id
     AND (h.remaining_geom IS DISTINCT FROM rem.g OR h.remaining_m2 IS DISTINCT FROM rem.m2);
END
$$;

-- One hazard's remaining area at the end of p_as_of (NULL: today): its geometry minus the union
-- of its own approved releases completed on or before that day, so releases that overlap each
-- other are taken out once. The stored figure already is that when no approved release was
-- completed later. Callers keep to hazards recorded on or before the day. A set-returning SQL
-- function, called in FROM, so the planner inlines it: a tile of today's figures for thousands of
-- hazards then reads the stored figure without a function call per hazard.
CREATE OR REPLACE FUNCTION sg_hazard_remaining_as_of(p_hazard bigint, p_as_of date) RETURNS TABLE (m2 double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_as_of IS NULL OR NOT EXISTS (
      SELECT 1 FROM land_releases l
       WHERE l.hazard_id = h.id AND l.status = 'approved' AND l.completed_on > p_as_of)
    THEN h.remaining_m2
    ELSE (SELECT d.m2 FROM sg_hazard_remainder(h.geom, h.area_m2, (
            SELECT ST_Union(l.geom) FROM land_releases l
             WHERE l.hazard_id = h.id AND l.status = 'approved' AND l.completed_on <= p_as_of)) d)
  END
    FROM hazards h
   WHERE h.id = p_hazard
$$;

-- The same figure for a caller that already holds the hazard's stored remaining area (a tile's
-- every feature): today's figure is that one, and only a past day needs the hazard looked up.
CREATE OR REPLACE FUNCTION sg_hazard_remaining_as_of(p_hazard bigint, p_remaining double precision, p_as_of date)
RETURNS TABLE (m2 double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_as_of IS NULL THEN p_remaining
              ELSE (SELECT r.m2 FROM sg_hazard_remaining_as_of(p_hazard, p_as_of) r) END
$$;

-- The provinces each given hazard meets, and whether it lies wholly inside each. Provinces are
-- found through their pieces (0007_subdivided_boundaries.sql): inside one piece is inside the
-- province, and only a hazard crossing a piece's edge is tested against the whole province. The
-- tests run piece by piece, then province by province: PostGIS prepares a geometry that repeats
-- as the first argument of consecutive calls, which makes each test a few microseconds instead
-- of twenty (100,000 imported hazards, one test each).
CREATE OR REPLACE FUNCTION sg_hazard_provinces(p_hazards bigint[])
RETURNS TABLE (hazard_id bigint, code text, covered boolean)
LANGUAGE plpgsql STABLE
-- A bulk caller disables nested loops (sg_cluster_days); the piece lookup is one index probe per
-- hazard and has no other plan.
SET enable_nestloop = on
-- PL/pgSQL with a generic plan: a SQL function with a SET clause is never inlined, and was planned
-- at every write (about 0.5 ms); its plan probes indexes per hazard, for one hazard or 100,000.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH pairs AS MATERIALIZED (
    SELECT h.id, h.geom, r.code, r.geom AS piece
      FROM unnest(p_hazards) AS ids(id)
      JOIN hazards h ON h.id = ids.id
      CROSS JOIN LATERAL (
        SELECT pp.ctid AS piece_row, pp.code, pp.geom
          FROM province_pieces pp
         WHERE pp.country_iso3 = h.country_iso3 AND pp.geom && h.geom
        OFFSET 0
      ) r
     ORDER BY r.piece_row
  ),
  tested AS MATERIALIZED (
    SELECT id, code, in_piece
      FROM (SELECT id, code, piece, geom, ST_Covers(piece, geom) AS in_piece FROM pairs OFFSET 0) p
     -- Covered implies intersecting: the second test only for the pieces the hazard crosses.
     WHERE in_piece OR ST_Intersects(piece, geom)
  ),
  met AS (
    SELECT id, code, bool_or(in_piece) AS in_piece FROM tested GROUP BY id, code
  ),
  crossing AS MATERIALIZED (
    SELECT id, code FROM met WHERE NOT in_piece ORDER BY code
  )
  SELECT id, code, true FROM met WHERE in_piece
  UNION ALL
  SELECT c.id, c.code, ST_Covers(p.geom, h.geom)
    FROM crossing c
    JOIN LATERAL (SELECT geom FROM provinces p WHERE p.code = c.code) p ON true
    JOIN LATERAL (SELECT geom FROM hazards h WHERE h.id = c.id) h ON true
  ;
END
$$;

-- The per-day, per-dimension effect of the given clusters (set-based: one plan for one cluster
-- or for all of them). For every day on which something happens to a cluster (a hazard
-- recorded, a release completed), its union area is measured at four stages: after that day's
-- newly recorded hazards (stage 0), then after its cancelled (1), reduced (2) and cleared (3)
-- releases. found = stage 0 minus the previous event day's stage 3, and each method gets the
-- area its stage removed, so the balance closes exactly for every day and so for every year.
CREATE OR REPLACE FUNCTION sg_cluster_days_sql(p_clusters bigint[])
RETURNS TABLE (cluster_id bigint, day date, dim_kind text, dim_key text,
               found_m2 double precision, cancelled_m2 double precision,
               reduced_m2 double precision, cleared_m2 double precision,
               hazards integer, synthetic_hazards integer)
LANGUAGE sql STABLE AS $$
  WITH members AS (
    SELECT h.cluster_id AS cid, h.id, h.geom, h.contamination, h.country_iso3,
           h.recorded_on AS recorded_day, h.synthetic
      FROM hazards h
      JOIN unnest(p_clusters) AS c(id) ON h.cluster_id = c.id
     WHERE h.deleted_at IS NULL
  ),
  releases AS (
    -- A release dated before its hazard was recorded (back-filled records) counts on the recorded
    -- day, so the area it released still appears as found and then released, not as neither.
    SELECT m.cid, r.hazard_id, greatest(r.completed_on, m.recorded_day) AS day, sg_method_rank(r.method) AS rank, r.geom
      FROM land_releases r
      JOIN members m ON m.id = r.hazard_id
     WHERE r.status = 'approved'
  ),
  event_days AS (
    SELECT cid, recorded_day AS day FROM members
    UNION
    SELECT cid, day FROM releases
  ),
  -- Stage 0 of every event day, plus only the stages whose method has a release that day.
  stages AS (
    SELECT cid, day, 0 AS stage FROM event_days
    UNION
    SELECT DISTINCT cid, day, rank FROM releases
  ),
  released_by_stage AS (
    SELECT s.cid, s.day, s.stage, m.id, min(m.contamination) AS contamination,
           (array_agg(m.geom))[1] AS geom, ST_Union(r.geom) AS released
      FROM stages s
      JOIN members m ON m.cid = s.cid AND m.recorded_day <= s.day
      LEFT JOIN releases r ON r.hazard_id = m.id AND (r.day < s.day OR (r.day = s.day AND r.rank <= s.stage))
     GROUP BY s.cid, s.day, s.stage, m.id
  ),
  member_stage AS (
    SELECT cid, day, stage, contamination,
           CASE WHEN released IS NULL THEN geom ELSE ST_Difference(geom, released) END AS g
      FROM released_by_stage
  ),
  -- Each stage keeps its members' geometries and contamination lists as arrays, so the unions
  -- of a stage are computed from its own row (a correlated scan of member_stage is quadratic).
  stage_unions AS (
    SELECT cid, day, stage, count(*) AS members, array_agg(g) AS gs,
           array_agg(array_to_string(contamination, ',')) AS contaminations
      FROM member_stage GROUP BY cid, day, stage
  ),
  -- Most clusters are a single hazard: its geometry needs no union.
  union_all AS (
    SELECT su.cid, su.day, su.stage, su.members, su.gs, su.contaminations, u.g, sg_geodesic_area(u.g) AS area
      FROM stage_unions su,
           LATERAL (SELECT CASE WHEN su.members = 1 THEN su.gs[1] ELSE ST_Union(su.gs) END AS g) u
  ),
  member_provinces AS (
    SELECT m.cid, hp.code, hp.covered
      FROM sg_hazard_provinces(ARRAY(SELECT id FROM members)) hp JOIN members m ON m.id = hp.hazard_id
  ),
  member_counts AS (SELECT cid, count(*) AS n FROM members GROUP BY cid),
  touched_provinces AS (
    SELECT mp.cid, mp.code, count(*) FILTER (WHERE mp.covered) = max(mc.n) AS covers_cluster
      FROM member_provinces mp JOIN member_counts mc USING (cid)
     GROUP BY mp.cid, mp.code
  ),
  -- Where every member carries a contamination type (the usual case) its union is the
  -- cluster's union, already measured; only mixed clusters need a union of their own.
  stage_areas AS (
    SELECT cid, day, stage, 'all'::text AS dim_kind, ''::text AS dim_key, area FROM union_all
    UNION ALL
    SELECT u.cid, u.day, u.stage, 'contamination', cg.contamination,
           CASE WHEN cg.members = u.members THEN u.area
                ELSE sg_geodesic_area(ST_Union(ARRAY(
                       SELECT t.g FROM unnest(u.gs, u.contaminations) AS t(g, list)
                        WHERE cg.contamination = ANY (string_to_array(t.list, ','))))) END
      FROM union_all u,
           LATERAL (SELECT c AS contamination, count(*) AS members
                      FROM unnest(u.contaminations) AS m(list), unnest(string_to_array(m.list, ',')) AS c
                     GROUP BY c) cg
    UNION ALL
    SELECT u.cid, u.day, u.stage, 'province', tp.code,
           CASE WHEN tp.covers_cluster THEN u.area
                ELSE (SELECT sg_geodesic_area(ST_Intersection(u.g, p.geom)) FROM provinces p WHERE p.code = tp.code) END
      FROM union_all u JOIN touched_provinces tp USING (cid)
  ),
  dims AS (SELECT DISTINCT cid, dim_kind, dim_key FROM stage_areas),
  grid AS (
    SELECT e.cid, e.day, d.dim_kind, d.dim_key,
           coalesce(max(a.area) FILTER (WHERE a.stage = 0), 0) AS a0,
           max(a.area) FILTER (WHERE a.stage = 1) AS a1,
           max(a.area) FILTER (WHERE a.stage = 2) AS a2,
           max(a.area) FILTER (WHERE a.stage = 3) AS a3
      FROM event_days e
      JOIN dims d ON d.cid = e.cid
      LEFT JOIN stage_areas a ON a.cid = e.cid AND a.day = e.day AND a.dim_kind = d.dim_kind AND a.dim_key = d.dim_key
     GROUP BY e.cid, e.day, d.dim_kind, d.dim_key
  ),
  -- A stage with no release of its method leaves the area as the stage before it.
  filled AS (
    SELECT cid, day, dim_kind, dim_key, a0, coalesce(a1, a0) AS a1,
           coalesce(a2, a1, a0) AS a2, coalesce(a3, a2, a1, a0) AS a3
      FROM grid
  ),
  balanced AS (
    SELECT cid, day, dim_kind, dim_key,
           a0 - coalesce(lag(a3) OVER (PARTITION BY cid, dim_kind, dim_key ORDER BY day), 0) AS found_m2,
           a0 - a1 AS cancelled_m2, a1 - a2 AS reduced_m2, a2 - a3 AS cleared_m2
      FROM filled
  ),
  -- Hazards counted on their recorded day, in the 'all' dimension only.
  recorded AS (
    SELECT cid, recorded_day AS day, count(*)::int AS hazards, (count(*) FILTER (WHERE synthetic))::int AS synthetic_hazards
      FROM members GROUP BY cid, recorded_day
  )
  SELECT b.cid, b.day, b.dim_kind, b.dim_key, b.found_m2, b.cancelled_m2, b.reduced_m2, b.cleared_m2,
         coalesce(r.hazards, 0), coalesce(r.synthetic_hazards, 0)
    FROM balanced b
    LEFT JOIN recorded r ON b.dim_kind = 'all' AND r.cid = b.cid AND r.day = b.day
   WHERE b.found_m2 <> 0 OR b.cancelled_m2 <> 0 OR b.reduced_m2 <> 0 OR b.cleared_m2 <> 0 OR r.hazards IS NOT NULL
$$;

-- A write touches one or two clusters: the plain SQL function serves them. A recompute passes
-- every cluster: its CTEs' row estimates stay far too low, and a nested loop between two CTEs of
-- 100,000 rows is quadratic, so it is planned afresh for its own array (EXECUTE) and without
-- nested loops (spatial joins keep theirs: nothing else can do them).
CREATE OR REPLACE FUNCTION sg_cluster_days(p_clusters bigint[])
RETURNS TABLE (cluster_id bigint, day date, dim_kind text, dim_key text,
               found_m2 double precision, cancelled_m2 double precision,
               reduced_m2 double precision, cleared_m2 double precision,
               hazards integer, synthetic_hazards integer)
LANGUAGE plpgsql STABLE
-- Disabling nested loops makes plan costs astronomical, which triggers JIT compilation: seconds
-- spent compiling a query that runs once.
SET jit = off
AS $fn$
DECLARE
  v_nestloop text := current_setting('enable_nestloop');
  v_single bigint[];
BEGIN
  IF cardinality(p_clusters) > 100 THEN
    -- Bulk writes (imports, recomputes) are mostly lone hazards without releases: their days
    -- come from sg_single_hazard_days without the stage machinery, and only the rest goes below.
    SELECT coalesce(array_agg(c.id) FILTER (WHERE c.single), '{}'), coalesce(array_agg(c.id) FILTER (WHERE NOT c.single), '{}')
      INTO v_single, p_clusters
      FROM (
        SELECT ids.id, count(h.id) = 1
                 AND bool_and(cardinality(h.contamination) = cardinality(ARRAY(SELECT DISTINCT unnest(h.contamination))))
                 AND NOT bool_or(EXISTS (SELECT 1 FROM land_releases r WHERE r.hazard_id = h.id AND r.status = 'approved')) AS single
          FROM unnest(p_clusters) AS ids(id)
          LEFT JOIN hazards h ON h.cluster_id = ids.id AND h.deleted_at IS NULL
         GROUP BY ids.id
      ) c;
    RETURN QUERY SELECT * FROM sg_single_hazard_days(v_single);
  END IF;
  IF cardinality(p_clusters) <= 100 THEN
    RETURN QUERY SELECT * FROM sg_cluster_days_sql(p_clusters);
    RETURN;
  END IF;
  PERFORM set_config('enable_nestloop', 'off', true);
  RETURN QUERY EXECUTE 'SELECT * FROM sg_cluster_days_sql($1)' USING p_clusters;
  PERFORM set_config('enable_nestloop', v_nestloop, true);
END
$fn$;

-- Adds the rows p_rows to the country totals, a key not there yet as a new row: the one way the
-- engine changes area_country_days, whose yearly rows follow by trigger. Returns how many rows it
-- wrote.
CREATE OR REPLACE FUNCTION sg_add_country_days(p_rows area_country_days[]) RETURNS bigint
LANGUAGE sql AS $$
  WITH added AS (
    INSERT INTO area_country_days AS t
    SELECT * FROM unnest(p_rows)
    ON CONFLICT (country_iso3, dim_kind, dim_key, day) DO UPDATE
       SET found_m2 = t.found_m2 + excluded.found_m2,
           cancelled_m2 = t.cancelled_m2 + excluded.cancelled_m2,
           reduced_m2 = t.reduced_m2 + excluded.reduced_m2,
           cleared_m2 = t.cleared_m2 + excluded.cleared_m2,
           hazards = t.hazards + excluded.hazards,
           synthetic_hazards = t.synthetic_hazards + excluded.synthetic_hazards
    RETURNING 1
  )
  SELECT count(*) FROM added
$$;

-- Adds (p_sign = 1) or removes (p_sign = -1) the given clusters' rows to/from the country totals.
CREATE OR REPLACE FUNCTION sg_apply_cluster_days_sql(p_clusters bigint[], p_sign integer) RETURNS void
LANGUAGE sql AS $$
  SELECT sg_add_country_days(ARRAY(
    SELECT ROW(c.country_iso3, y.day, y.dim_kind, y.dim_key,
               p_sign * sum(y.found_m2), p_sign * sum(y.cancelled_m2),
               p_sign * sum(y.reduced_m2), p_sign * sum(y.cleared_m2),
               p_sign * sum(y.hazards), p_sign * sum(y.synthetic_hazards))::area_country_days
      FROM unnest(p_clusters) AS ids(id)
      JOIN area_cluster_days y ON y.cluster_id = ids.id
      JOIN area_clusters c ON c.id = y.cluster_id
     GROUP BY c.country_iso3, y.day, y.dim_kind, y.dim_key))
$$;

-- As sg_cluster_days: a bulk write (100,000 new clusters, their rows written moments ago in the
-- same transaction, so the statistics still say the table is empty) was planned as a nested loop
-- rescanning the whole array for every row: quadratic, it ran for many minutes.
CREATE OR REPLACE FUNCTION sg_apply_cluster_days(p_clusters bigint[], p_sign integer) RETURNS void
LANGUAGE plpgsql
SET jit = off
AS $fn$
DECLARE
  v_nestloop text := current_setting('enable_nestloop');
BEGIN
  IF cardinality(p_clusters) <= 100 THEN
    PERFORM sg_apply_cluster_days_sql(p_clusters, p_sign);
    RETURN;
  END IF;
  PERFORM set_config('enable_nestloop', 'off', true);
  EXECUTE 'SELECT sg_apply_cluster_days_sql($1, $2)' USING p_clusters, p_sign;
  PERFORM set_config('enable_nestloop', v_nestloop, true);
END
$fn$;

CREATE OR REPLACE FUNCTION sg_compute_clusters(p_clusters bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO area_cluster_days (cluster_id, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards)
  SELECT * FROM sg_cluster_days(p_clusters);
  SELECT sg_apply_cluster_days(p_clusters, 1);
$$;
