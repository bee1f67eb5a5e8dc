-- The tile regions' update triggers ran their query as dynamic SQL, planned anew for every
-- statement, so that a million-row update was not joined by a plan kept from a one-row update.
-- Planning that query cost a one-hazard update (every release write updates its hazard) about
-- 3 ms of its 35. The query is now static: a plan kept for small statements is reused, and a
-- statement of more than a hundred rows (the area engine's bound for a bulk write) is planned for
-- its own size (PL/pgSQL keeps the plans of its statements; force_custom_plan plans them anew).
CREATE FUNCTION sg_tile_regions_plan_for(p_rows bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_mode constant text := current_setting('plan_cache_mode');
BEGIN
  IF p_rows > 100 THEN
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
  END IF;
  RETURN v_mode;
END
$$;

-- A hazard that is deleted, restored or moves to another country takes its releases with it.
CREATE OR REPLACE FUNCTION sg_tile_regions_hazards_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
  v_mode text := sg_tile_regions_plan_for((SELECT count(*) FROM new_rows));
BEGIN
  INSERT INTO tile_region_notes
  WITH changed AS MATERIALIZED (
    SELECT id, (o.country_iso3, o.deleted_at IS NULL) IS DISTINCT FROM (n.country_iso3, n.deleted_at IS NULL) AS moved
      FROM old_rows o JOIN new_rows n USING (id)
     WHERE (o.country_iso3, o.contamination[1], o.classification, o.area_m2, o.remaining_m2,
            o.geom_3857::box2d::text, o.deleted_at IS NULL)
           IS DISTINCT FROM (n.country_iso3, n.contamination[1], n.classification, n.area_m2,
                             n.remaining_m2, n.geom_3857::box2d::text, n.deleted_at IS NULL)
  )
  SELECT v_statement, false, p FROM old_rows o JOIN changed c USING (id), sg_hazard_region_parts(o) p
  UNION ALL
  SELECT v_statement, true, p FROM new_rows n JOIN changed c USING (id), sg_hazard_region_parts(n) p
  UNION ALL
  SELECT v_statement, false, p FROM old_rows o JOIN changed c ON c.id = o.id AND c.moved JOIN land_releases l ON l.hazard_id = o.id,
         sg_release_region_parts(l, o.country_iso3, o.deleted_at IS NULL) p
  UNION ALL
  SELECT v_statement, true, p FROM new_rows n JOIN changed c ON c.id = n.id AND c.moved JOIN land_releases l ON l.hazard_id = n.id,
         sg_release_region_parts(l, n.country_iso3, n.deleted_at IS NULL) p;
  PERFORM set_config('plan_cache_mode', v_mode, true);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION sg_tile_regions_releases_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
  v_mode text := sg_tile_regions_plan_for((SELECT count(*) FROM new_rows));
BEGIN
  INSERT INTO tile_region_notes
  WITH changed AS MATERIALIZED (
    SELECT id FROM old_rows o JOIN new_rows n USING (id)
     WHERE (o.hazard_id, o.method, extract(year FROM o.completed_on), o.area_m2, o.status = 'approved',
            o.geom_3857::box2d::text)
           IS DISTINCT FROM (n.hazard_id, n.method, extract(year FROM n.completed_on), n.area_m2,
                             n.status = 'approved', n.geom_3857::box2d::text)
  )
  SELECT v_statement, false, p FROM old_rows o JOIN changed c USING (id) JOIN hazards h ON h.id = o.hazard_id,
         sg_release_region_parts(o, h.country_iso3, h.deleted_at IS NULL) p
  UNION ALL
  SELECT v_statement, true, p FROM new_rows n JOIN changed c USING (id) JOIN hazards h ON h.id = n.hazard_id,
         sg_release_region_parts(n, h.country_iso3, h.deleted_at IS NULL) p;
  PERFORM set_config('plan_cache_mode', v_mode, true);
  RETURN NULL;
END
$$;
