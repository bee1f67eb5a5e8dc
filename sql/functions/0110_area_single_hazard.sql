-- The area engine's bulk path: sg_refresh_hazards (0105_area_refresh.sql) hands writes of more than
-- 100 hazards with new geometry (imports) to sg_refresh_hazards_bulk, and sg_cluster_days hands
-- lone hazards to sg_single_hazard_days.

-- sg_cluster_days_sql for clusters of one live hazard without approved releases and with no
-- contamination type twice: one event day (its recorded day) whose found area is the hazard's
-- own area in 'all' and in each of its contamination types, and per touched province the same
-- area (covered) or that of its intersection with the province: the same expressions on the
-- same geometry as the general query, so the same numbers, without unions or stages.
CREATE OR REPLACE FUNCTION sg_single_hazard_days(p_clusters bigint[])
RETURNS TABLE (cluster_id bigint, day date, dim_kind text, dim_key text,
               found_m2 double precision, cancelled_m2 double precision,
               reduced_m2 double precision, cleared_m2 double precision,
               hazards integer, synthetic_hazards integer)
LANGUAGE sql STABLE AS $$
  WITH members AS (
    -- hazards.area_m2 is sg_geodesic_area(geom), exactly (0009_engine_bulk.sql).
    SELECT h.cluster_id AS cid, h.id, h.recorded_on AS day, h.geom, h.contamination, h.country_iso3, h.area_m2 AS area, h.synthetic
      FROM unnest(p_clusters) AS c(id)
      JOIN hazards h ON h.cluster_id = c.id
     WHERE h.deleted_at IS NULL
  )
  -- The hazard itself is counted in 'all' on its recorded day (area_m2 > 0: the row is there).
  SELECT cid, day, 'all', '', area, 0, 0, 0, 1, synthetic::int FROM members WHERE area <> 0
  UNION ALL
  SELECT m.cid, m.day, 'contamination', c::text, m.area, 0, 0, 0, 0, 0
    FROM members m, unnest(m.contamination) AS c
   WHERE m.area <> 0
  UNION ALL
  -- A province covering the hazard gets its whole area, another the area of the intersection.
  SELECT m.cid, m.day, 'province', t.code, a.area, 0, 0, 0, 0, 0
    FROM sg_hazard_provinces(ARRAY(SELECT id FROM members)) t
    JOIN members m ON m.id = t.hazard_id
    CROSS JOIN LATERAL (
      SELECT CASE WHEN t.covered THEN m.area
                  ELSE (SELECT sg_geodesic_area(ST_Intersection(m.geom, p.geom)) FROM provinces p WHERE p.code = t.code) END AS area
      OFFSET 0  -- measured once, not again for the filter below
    ) a
   WHERE a.area <> 0
$$;

-- Stores the days of new clusters and adds them to the country totals in one pass (the general
-- path stores them, then reads them back). p_single: clusters fit for sg_single_hazard_days.
-- EXECUTE plans it for the actual arrays: planned for "some" clusters it joined 100,000 hazards
-- to the array by rescanning the array per hazard (see sg_cluster_days).
CREATE OR REPLACE FUNCTION sg_store_new_cluster_days(p_single bigint[], p_general bigint[]) RETURNS void
LANGUAGE plpgsql
SET jit = off
AS $fn$
BEGIN
  EXECUTE $q$
  WITH days AS MATERIALIZED (
    SELECT * FROM sg_single_hazard_days($1)
    UNION ALL
    SELECT * FROM sg_cluster_days($2)
  ),
  stored AS (
    -- In key order: new cluster ids mostly ascend, so primary-key entries land on the rightmost leaf.
    INSERT INTO area_cluster_days (cluster_id, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards)
    SELECT * FROM days ORDER BY cluster_id, day, dim_kind, dim_key
  )
  SELECT sg_add_country_days(ARRAY(
    SELECT ROW(c.country_iso3, d.day, d.dim_kind, d.dim_key, sum(d.found_m2), sum(d.cancelled_m2), sum(d.reduced_m2),
               sum(d.cleared_m2), sum(d.hazards), sum(d.synthetic_hazards))::area_country_days
      FROM days d JOIN area_clusters c ON c.id = d.cluster_id
     GROUP BY c.country_iso3, d.day, d.dim_kind, d.dim_key))
  $q$ USING p_single, p_general;
END
$fn$;

-- sg_refresh_hazards for many written hazards (after their remaining geometry), to the same state
-- as its general path. One clustering pass over the written hazards and the clustered ones within
-- their extent: a component holding only fresh hazards (never clustered, so not in area_clusters)
-- overlaps nothing that exists, becomes a cluster as it is and keeps a member's provisional id
-- (0009_engine_bulk.sql), so a lone hazard is not rewritten; components that reach an existing
-- cluster, and the clusters of written hazards that had one, are regrouped as the general path does.
CREATE OR REPLACE FUNCTION sg_refresh_hazards_bulk(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql
-- See sg_cluster_days on JIT; the clustering window sorts 100,000 geometries.
SET jit = off
SET work_mem = '256MB'
AS $fn$
DECLARE
  v_old bigint[];
  v_members bigint[];
  v_regrouped bigint[] := '{}';
  v_single bigint[];
  v_general bigint[];
BEGIN
  DROP TABLE IF EXISTS pg_temp.sg_bulk_hazards, pg_temp.sg_bulk_reaching;
  CREATE TEMP TABLE sg_bulk_hazards ON COMMIT DROP AS
  WITH written AS MATERIALIZED (
    SELECT h.id, h.country_iso3, h.geom, h.cluster_id, h.deleted_at IS NULL AS live,
           EXISTS (SELECT 1 FROM area_clusters c WHERE c.id = h.cluster_id) AS clustered,
           -- What sg_single_hazard_days requires besides being alone.
           NOT EXISTS (SELECT 1 FROM land_releases r WHERE r.hazard_id = h.id AND r.status = 'approved')
             AND cardinality(h.contamination) = cardinality(ARRAY(SELECT DISTINCT unnest(h.contamination))) AS plain
      FROM unnest(p_ids) AS w(id) JOIN hazards h USING (id)
  ),
  reach AS (
    SELECT country_iso3, ST_SetSRID(ST_Extent(geom)::geometry, 4326) AS box FROM written WHERE live GROUP BY country_iso3
  ),
  neighbours AS (
    SELECT h.id, h.country_iso3, h.geom, h.cluster_id
      FROM reach r
      JOIN hazards h ON h.country_iso3 = r.country_iso3 AND h.geom && r.box AND h.deleted_at IS NULL
      JOIN area_clusters c ON c.id = h.cluster_id
     WHERE h.id NOT IN (SELECT id FROM written)
  )
  SELECT id, country_iso3, cluster_id, written, clustered, live, plain,
         ST_ClusterDBSCAN(CASE WHEN live THEN geom END, eps => 0, minpoints => 1) OVER (PARTITION BY country_iso3) AS k
    FROM (SELECT id, country_iso3, geom, cluster_id, true AS written, clustered, live, plain FROM written
          UNION ALL
          SELECT id, country_iso3, geom, cluster_id, false, true, true, false FROM neighbours) s;

  -- Components where a written hazard meets a clustered one (or is one itself).
  CREATE TEMP TABLE sg_bulk_reaching ON COMMIT DROP AS
  SELECT country_iso3, k FROM sg_bulk_hazards WHERE live
   GROUP BY country_iso3, k HAVING bool_or(written) AND bool_or(clustered);

  -- The clusters to regroup: those met, and those of written hazards (moved or deleted).
  SELECT coalesce(array_agg(DISTINCT b.cluster_id), '{}') INTO v_old
    FROM sg_bulk_hazards b
   WHERE b.clustered AND (b.written OR (b.country_iso3, b.k) IN (SELECT country_iso3, k FROM sg_bulk_reaching));

  IF cardinality(v_old) > 0 OR EXISTS (SELECT 1 FROM sg_bulk_reaching) THEN
    SELECT coalesce(array_agg(id), '{}') INTO v_members FROM (
      SELECT h.id FROM unnest(v_old) AS o(id) JOIN hazards h ON h.cluster_id = o.id WHERE h.deleted_at IS NULL
      UNION
      SELECT b.id FROM sg_bulk_hazards b JOIN sg_bulk_reaching USING (country_iso3, k) WHERE b.written AND b.live
    ) m;
    PERFORM sg_apply_cluster_days(v_old, -1);
    DELETE FROM area_cluster_days y USING unnest(v_old) AS o(id) WHERE y.cluster_id = o.id;
    DELETE FROM area_clusters c USING unnest(v_old) AS o(id) WHERE c.id = o.id;
    -- Live members get their new cluster below; the deleted ones belong to none.
    UPDATE hazards h SET cluster_id = NULL FROM unnest(v_old) AS o(id) WHERE h.cluster_id = o.id AND h.deleted_at IS NOT NULL;
    v_regrouped := sg_assign_clusters(v_members);
  END IF;
  UPDATE hazards h SET cluster_id = NULL
    FROM sg_bulk_hazards b WHERE b.written AND NOT b.live AND h.id = b.id AND h.cluster_id IS NOT NULL;

  WITH fresh AS (
    SELECT b.id, b.country_iso3, b.k, b.cluster_id, b.plain
      FROM sg_bulk_hazards b
     WHERE b.written AND b.live AND NOT EXISTS (SELECT 1 FROM sg_bulk_reaching r WHERE r.country_iso3 = b.country_iso3 AND r.k = b.k)
  ),
  named AS (
    SELECT country_iso3, k, coalesce(min(cluster_id), nextval('area_cluster_ids')) AS cid,
           count(*) AS members, bool_and(plain) AS plain
      FROM fresh GROUP BY country_iso3, k
  ),
  assigned AS (
    UPDATE hazards h SET cluster_id = n.cid
      FROM fresh f JOIN named n ON n.country_iso3 = f.country_iso3 AND n.k = f.k
                                AND (n.members > 1 OR f.cluster_id IS NULL) AND f.cluster_id IS DISTINCT FROM n.cid
     WHERE h.id = f.id
  ),
  created AS (
    INSERT INTO area_clusters (id, country_iso3) SELECT cid, country_iso3 FROM named ORDER BY cid
  )
  SELECT coalesce(array_agg(cid) FILTER (WHERE members = 1 AND plain), '{}'),
         coalesce(array_agg(cid) FILTER (WHERE members > 1 OR NOT plain), '{}')
    INTO v_single, v_general FROM named;

  PERFORM sg_store_new_cluster_days(v_single, v_general || v_regrouped);
  DROP TABLE sg_bulk_hazards, sg_bulk_reaching;
END
$fn$;
