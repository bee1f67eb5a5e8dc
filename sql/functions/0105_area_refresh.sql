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
