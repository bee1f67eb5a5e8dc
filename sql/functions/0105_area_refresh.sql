-- Remaining-area engine, part 2 (part 1 and the model: 0100_area_engine.sql): the country lock,
-- cluster assignment, the incremental refresh every write runs, and the full recompute.

-- Serialises area maintenance per country: the incremental bookkeeping reads a cluster's old rows
-- and replaces them, which two concurrent writers must not interleave. Writers take this lock
-- before any row lock, so the order is always country lock first (no deadlock).
CREATE OR REPLACE FUNCTION sg_lock_country(p_iso3 text) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtext('safeground:area:' || p_iso3))
$$;

-- Groups the given live hazards into clusters (connected components of intersecting geometries,
-- per country) under fresh cluster ids, and returns the new ids.
CREATE OR REPLACE FUNCTION sg_assign_clusters(p_members bigint[]) RETURNS bigint[]
LANGUAGE sql AS $$
  WITH components AS (
    SELECT id, country_iso3,
           ST_ClusterDBSCAN(geom, eps => 0, minpoints => 1) OVER (PARTITION BY country_iso3) AS k
      FROM unnest(p_members) AS m(id)
      JOIN hazards USING (id)
     WHERE deleted_at IS NULL
  ), ids AS (
    SELECT country_iso3, k, nextval('area_cluster_ids') AS cluster_id
      FROM (SELECT DISTINCT country_iso3, k FROM components) d
  ), created AS (
    INSERT INTO area_clusters (id, country_iso3)
    SELECT cluster_id, country_iso3 FROM ids
    RETURNING id
  ), assigned AS (
    UPDATE hazards h SET cluster_id = ids.cluster_id
      FROM components c JOIN ids USING (country_iso3, k)
     WHERE h.id = c.id
  )
  SELECT coalesce(array_agg(id), '{}') FROM created
$$;

-- Recounts the clusters p_clusters (at most a hundred) whose members are unchanged, as after a
-- write that changed releases only: their days are computed afresh, and only the rows that differ
-- from the stored ones are written, to the clusters' days and, as differences, to the country
-- totals. Taking every stored row off the totals and adding every new one gives the same totals,
-- but a cluster with a long history rewrote all of its days and their country rows for one
-- release. A PL/pgSQL statement, so its plan is kept between writes; generic from the start, as
-- planning it (about 3.5 ms) cost more than running it.
CREATE OR REPLACE FUNCTION sg_recount_clusters(p_clusters bigint[]) RETURNS void
LANGUAGE plpgsql
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  v_rows bigint;
BEGIN
  WITH fresh AS MATERIALIZED (
    SELECT * FROM sg_cluster_days_sql(p_clusters)
  ),
  stored AS MATERIALIZED (
    SELECT y.* FROM unnest(p_clusters) AS c(id) JOIN area_cluster_days y ON y.cluster_id = c.id
  ),
  changed AS MATERIALIZED (
    SELECT cluster_id, day, dim_kind, dim_key, f.cluster_id IS NOT NULL AS kept,
           f.found_m2, f.cancelled_m2, f.reduced_m2, f.cleared_m2, f.hazards, f.synthetic_hazards,
           coalesce(f.found_m2, 0) - coalesce(s.found_m2, 0) AS found_change,
           coalesce(f.cancelled_m2, 0) - coalesce(s.cancelled_m2, 0) AS cancelled_change,
           coalesce(f.reduced_m2, 0) - coalesce(s.reduced_m2, 0) AS reduced_change,
           coalesce(f.cleared_m2, 0) - coalesce(s.cleared_m2, 0) AS cleared_change,
           coalesce(f.hazards, 0) - coalesce(s.hazards, 0) AS hazards_change,
           coalesce(f.synthetic_hazards, 0) - coalesce(s.synthetic_hazards, 0) AS synthetic_change
      FROM fresh f FULL JOIN stored s USING (cluster_id, day, dim_kind, dim_key)
     WHERE (f.found_m2, f.cancelled_m2, f.reduced_m2, f.cleared_m2, f.hazards, f.synthetic_hazards)
           IS DISTINCT FROM (s.found_m2, s.cancelled_m2, s.reduced_m2, s.cleared_m2, s.hazards, s.synthetic_hazards)
  ),
  gone AS (
    DELETE FROM area_cluster_days y
     USING changed c
     WHERE NOT c.kept AND y.cluster_id = c.cluster_id AND y.day = c.day AND y.dim_kind = c.dim_kind AND y.dim_key = c.dim_key
  ),
  kept AS (
    INSERT INTO area_cluster_days AS y
           (cluster_id, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards)
    SELECT cluster_id, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards
      FROM changed WHERE kept
    ON CONFLICT (cluster_id, day, dim_kind, dim_key) DO UPDATE
       SET found_m2 = excluded.found_m2, cancelled_m2 = excluded.cancelled_m2,
           reduced_m2 = excluded.reduced_m2, cleared_m2 = excluded.cleared_m2,
           hazards = excluded.hazards, synthetic_hazards = excluded.synthetic_hazards
  )
  SELECT sg_add_country_days(ARRAY(
    SELECT ROW(a.country_iso3, c.day, c.dim_kind, c.dim_key, sum(c.found_change), sum(c.cancelled_change),
               sum(c.reduced_change), sum(c.cleared_change), sum(c.hazards_change), sum(c.synthetic_change))::area_country_days
      FROM changed c JOIN area_clusters a ON a.id = c.cluster_id
     GROUP BY a.country_iso3, c.day, c.dim_kind, c.dim_key))
    INTO v_rows;
END
$fn$;

-- Incremental refresh after a write, inside the writing transaction.
--   p_ids: hazards that were inserted, changed or deleted, or whose releases changed.
--   p_geometry_changed: false when only releases changed, so cluster membership is unchanged and
--   only the hazards' own clusters are re-dissolved.
CREATE OR REPLACE FUNCTION sg_refresh_hazards(p_ids bigint[], p_geometry_changed boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_old bigint[];
  v_members bigint[];
BEGIN
  PERFORM sg_refresh_hazard_remaining(p_ids);

  -- Imports: set-based clustering that leaves fresh hazards alone (0110_area_single_hazard.sql).
  IF p_geometry_changed AND cardinality(p_ids) > 100 THEN
    PERFORM sg_refresh_hazards_bulk(p_ids);
    RETURN;
  END IF;

  IF NOT p_geometry_changed THEN
    SELECT coalesce(array_agg(DISTINCT cluster_id), '{}') INTO v_old
      FROM hazards WHERE id = ANY (p_ids) AND cluster_id IS NOT NULL;
    IF cardinality(v_old) <= 100 THEN
      PERFORM sg_recount_clusters(v_old);
      RETURN;
    END IF;
    PERFORM sg_apply_cluster_days(v_old, -1);
    DELETE FROM area_cluster_days WHERE cluster_id = ANY (v_old);
    PERFORM sg_compute_clusters(v_old);
    RETURN;
  END IF;

  -- Clusters that may merge or split: the old clusters of the written hazards and the clusters
  -- of every live hazard that now intersects one of them. (A new hazard's provisional cluster id,
  -- 0009_engine_bulk.sql, has no rows yet: subtracting and deleting it does nothing.)
  SELECT coalesce(array_agg(DISTINCT cid), '{}') INTO v_old FROM (
    SELECT cluster_id AS cid FROM hazards WHERE id = ANY (p_ids) AND cluster_id IS NOT NULL
    UNION
    SELECT n.cluster_id
      FROM hazards w
      JOIN hazards n ON n.geom && w.geom AND ST_Intersects(n.geom, w.geom)
                    AND n.country_iso3 = w.country_iso3 AND n.deleted_at IS NULL AND n.id <> w.id
     WHERE w.id = ANY (p_ids) AND w.deleted_at IS NULL AND n.cluster_id IS NOT NULL
  ) s;

  SELECT coalesce(array_agg(id), '{}') INTO v_members
    FROM hazards
   WHERE (cluster_id = ANY (v_old) OR id = ANY (p_ids)) AND deleted_at IS NULL;

  PERFORM sg_apply_cluster_days(v_old, -1);
  UPDATE hazards SET cluster_id = NULL WHERE cluster_id IS NOT NULL AND (cluster_id = ANY (v_old) OR id = ANY (p_ids));
  DELETE FROM area_cluster_days WHERE cluster_id = ANY (v_old);
  DELETE FROM area_clusters WHERE id = ANY (v_old);
  PERFORM sg_compute_clusters(sg_assign_clusters(v_members));
END
$$;

-- Rebuilds every hazard's remaining geometry, all clusters and all summaries from the raw tables.
-- Every country lock is taken first, in the writers' order, so a write already holding a row lock
-- finishes before the rebuild starts (taking the table lock first would deadlock with it); the
-- table lock then keeps out anything that writes without a country lock.
CREATE OR REPLACE FUNCTION sg_recompute_all() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_live bigint[];
BEGIN
  PERFORM sg_lock_country(iso3) FROM (SELECT iso3 FROM countries ORDER BY iso3 COLLATE "C") AS ordered;
  LOCK TABLE hazards, land_releases IN SHARE ROW EXCLUSIVE MODE;
  TRUNCATE area_cluster_days, area_country_days, area_clusters;
  UPDATE hazards SET cluster_id = NULL WHERE cluster_id IS NOT NULL;
  SELECT coalesce(array_agg(id), '{}') INTO v_live FROM hazards WHERE deleted_at IS NULL;
  PERFORM sg_refresh_hazard_remaining(v_live);
  PERFORM sg_compute_clusters(sg_assign_clusters(v_live));
END
$$;
