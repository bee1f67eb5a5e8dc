-- Tasks: who may see a task and its funding, overlap detection, and the tasks vector-tile layer.
--
-- A reader's coalition scope arrives from TypeScript (server/src/shared/coalition-scope.ts) as two
-- values: p_reader_org, the organisation the reader acts for (NULL for none), and p_governs, the
-- countries the reader governs as text[] ('*' for an admin, the country of a national authority).

-- Whether a reader sees a task at all: proposals and rejected proposals are between the operator
-- and the authority (admins, the country's authority and the task's organisation); every task
-- that was approved is public.
CREATE OR REPLACE FUNCTION sg_task_visible(p_status task_status, p_country char(3), p_organisation bigint,
                                           p_reader_org bigint, p_governs text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status NOT IN ('proposed', 'rejected') OR '*' = ANY(p_governs) OR p_country::text = ANY(p_governs)
      OR coalesce(p_reader_org = p_organisation, false)
$$;

-- The statuses in which a task claims its ground: planned, approved, running or paused. Only such
-- tasks take part in overlap detection.
CREATE OR REPLACE FUNCTION sg_task_active(p_status task_status) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status IN ('proposed', 'approved', 'ongoing', 'suspended')
$$;

-- THE overlap rule. Two areas conflict when their intersection is MORE than p_min_m2 square
-- metres OR MORE than p_min_share of the smaller of the two areas (TASK_OVERLAP_MIN_M2 and
-- TASK_OVERLAP_MIN_SHARE): either limit suffices. Areas that only touch intersect in 0 m² and
-- never conflict.
CREATE OR REPLACE FUNCTION sg_task_overlap_significant(p_overlap_m2 double precision, p_area_a double precision,
                                                       p_area_b double precision, p_min_share double precision,
                                                       p_min_m2 double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_overlap_m2 > 0 AND (p_overlap_m2 > p_min_m2 OR p_overlap_m2 > p_min_share * least(p_area_a, p_area_b))
$$;

-- What the overlap rule weighs for one task (its area, organisation and planned dates;
-- p_except_task is its own id, NULL for a proposal not yet stored), before the significance limits:
--  kind 'task': an active task (sg_task_active) of ANOTHER organisation whose planned date range
--    overlaps this one's (inclusive) and whose area overlaps this one's by more than 0 m²
--    (other_m2: that task's area);
--  kind 'released': land already released under the task: the approved releases (of live hazards)
--    touching the task, completed before its planned start and not recorded under this task,
--    where their union overlaps the task by more than 0 m² (other_m2: the area of that union).
--    At most one such row, naming the releases.
-- The indexes are probed with each part of the task on its own, and other tasks are found through
-- their parts (task_parts): the parts of a task on hazards far apart span a box that holds
-- thousands of others. Only the releases whose interior meets the task's are unioned to measure
-- the overlap: a task without a work polygon covers its hazards' unreleased land, so their
-- releases touch its boundary and add nothing to it; the union of all of them is measured only
-- when there is an overlap. The parts of a valid MultiPolygon meet at points at most, so a
-- release's interior meets the task's exactly when it meets a part's.
CREATE OR REPLACE FUNCTION sg_task_conflict_candidates(p_geom geometry, p_organisation bigint, p_start date, p_end date,
                                                       p_except_task bigint)
RETURNS TABLE (kind text, task_id bigint, organisation_id bigint, overlap_m2 double precision,
               other_m2 double precision, release_ids bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'task', t.id, t.organisation_id, o.m2, t.area_m2, NULL::bigint[]
    FROM (SELECT DISTINCT tp.task_id AS id
            FROM ST_Dump(p_geom) d
            JOIN task_parts tp ON tp.geom && d.geom AND ST_Intersects(tp.geom, d.geom)) c
    JOIN tasks t ON t.id = c.id AND sg_task_active(t.status)
   CROSS JOIN LATERAL (SELECT sg_geodesic_area(sg_polygonal(ST_Intersection(p_geom, t.geom))) AS m2) o
   WHERE t.id IS DISTINCT FROM p_except_task AND t.organisation_id <> p_organisation
     AND t.planned_start <= p_end AND p_start <= t.planned_end AND o.m2 > 0
  UNION ALL
  SELECT 'released', NULL, NULL, o.m2, sg_geodesic_area(ST_Union(r.geoms)), r.ids
    FROM (SELECT array_agg(l.id ORDER BY l.id) AS ids, array_agg(l.geom) AS geoms,
                 ST_Union(l.geom) FILTER (WHERE c.inside) AS inside
            FROM (SELECT l.id, bool_or(NOT ST_Touches(l.geom, d.geom)) AS inside
                    FROM ST_Dump(p_geom) d
                    JOIN land_releases l ON l.geom && d.geom AND ST_Intersects(l.geom, d.geom)
                   GROUP BY l.id) c
            JOIN land_releases l ON l.id = c.id
            JOIN hazards h ON h.id = l.hazard_id AND h.deleted_at IS NULL
           WHERE l.status = 'approved' AND l.completed_on < p_start AND (l.task_id = p_except_task) IS NOT TRUE) r
   CROSS JOIN LATERAL (SELECT sg_geodesic_area(sg_polygonal(ST_Intersection(p_geom, r.inside))) AS m2) o
   WHERE o.m2 > 0
$$;

-- Every conflict of one task: the candidates above that the overlap rule holds significant (for
-- released land the two areas being the task's and that union's).
CREATE OR REPLACE FUNCTION sg_task_conflicts(p_geom geometry, p_area_m2 double precision, p_organisation bigint,
                                             p_start date, p_end date, p_except_task bigint,
                                             p_min_share double precision, p_min_m2 double precision)
RETURNS TABLE (kind text, task_id bigint, organisation_id bigint, overlap_m2 double precision, release_ids bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.kind, c.task_id, c.organisation_id, c.overlap_m2, c.release_ids
    FROM sg_task_conflict_candidates(p_geom, p_organisation, p_start, p_end, p_except_task) c
   WHERE sg_task_overlap_significant(c.overlap_m2, p_area_m2, c.other_m2, p_min_share, p_min_m2)
$$;

-- Recomputes the parts (task_parts) of the given tasks: the polygons of the active ones.
CREATE OR REPLACE FUNCTION sg_refresh_task_parts(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM task_parts p USING (SELECT DISTINCT unnest(p_ids) AS id) i WHERE p.task_id = i.id;
  INSERT INTO task_parts (task_id, geom)
  SELECT t.id, d.geom
    FROM (SELECT DISTINCT unnest(p_ids) AS id) i JOIN tasks t ON t.id = i.id, ST_Dump(t.geom) d
   WHERE sg_task_active(t.status);
$$;

-- Recomputes the stored candidates (task_conflict_candidates) of the given tasks: their own rows
-- and the other half of each pair; an active task always gets its 'released' row, 0 m² if none.
-- Without JIT or parallel workers: each task is a few index probes, which the planner, expecting
-- many rows from ST_Dump, would compile or hand to workers that each load PostGIS first.
CREATE OR REPLACE FUNCTION sg_refresh_task_conflicts(p_ids bigint[]) RETURNS void
LANGUAGE sql SET jit = off SET max_parallel_workers_per_gather = 0 AS $$
  DELETE FROM task_conflict_candidates c USING (SELECT DISTINCT unnest(p_ids) AS id) i WHERE c.task_id = i.id;
  DELETE FROM task_conflict_candidates c USING (SELECT DISTINCT unnest(p_ids) AS id) i WHERE c.other_task_id = i.id;
  WITH active AS (
    SELECT t.* FROM (SELECT DISTINCT unnest(p_ids) AS id) i JOIN tasks t ON t.id = i.id WHERE sg_task_active(t.status)
  ), found AS (
    SELECT t.id, t.area_m2, c.*
      FROM active t
     CROSS JOIN LATERAL sg_task_conflict_candidates(t.geom, t.organisation_id, t.planned_start, t.planned_end, t.id) c
  )
  INSERT INTO task_conflict_candidates (task_id, other_task_id, overlap_m2, other_m2, release_ids)
  SELECT id, task_id, overlap_m2, other_m2, release_ids FROM found
  UNION ALL
  SELECT task_id, id, overlap_m2, area_m2, NULL FROM found WHERE kind = 'task'
  UNION ALL
  SELECT id, NULL, 0, 0, NULL FROM active
  ON CONFLICT DO NOTHING;
$$;

-- The writers of tasks and releases hold this lock of the country from their first read (see
-- lockCountryTasks), so that a task and a release written at the same time see each other, and
-- overlap checks and the stored task areas (0725_task_areas.sql) read a settled country. Countries
-- are locked in order, so that two writers of several countries cannot deadlock.
CREATE OR REPLACE FUNCTION sg_lock_country_tasks(p_iso3 text[]) RETURNS void
LANGUAGE sql AS $$
  SELECT count(pg_advisory_xact_lock(hashtext('sg_tasks:' || c))) FROM (SELECT DISTINCT unnest(p_iso3) AS c ORDER BY 1) s;
$$;

-- Triggers (0016_task_conflict_candidates.sql): tasks written.
CREATE OR REPLACE FUNCTION sg_task_conflicts_changed_tasks(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_lock_country_tasks(array_agg(DISTINCT t.country_iso3::text))
     FROM tasks t WHERE t.id IN (SELECT unnest(p_ids));
  PERFORM sg_refresh_task_parts(p_ids);
  PERFORM sg_refresh_task_conflicts(p_ids);
END
$$;

-- Triggers: releases (with their hazards) written. The active tasks that these geometries meet,
-- found release by release through their parts; past a few hundred (an import), every active
-- task with a part in their extent.
CREATE OR REPLACE FUNCTION sg_task_conflicts_changed_land(p_hazards bigint[], p_geoms geometry[]) RETURNS void
LANGUAGE plpgsql SET jit = off SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
  v_ids bigint[];
BEGIN
  PERFORM sg_lock_country_tasks(array_agg(DISTINCT h.country_iso3::text))
     FROM hazards h WHERE h.id IN (SELECT unnest(p_hazards));
  IF cardinality(p_geoms) <= 200 THEN
    SELECT array_agg(DISTINCT p.task_id) INTO v_ids
      FROM unnest(p_geoms) g JOIN task_parts p ON p.geom && g AND ST_Intersects(p.geom, g);
  ELSE
    SELECT array_agg(DISTINCT p.task_id) INTO v_ids
      FROM task_parts p WHERE p.geom && (SELECT ST_Extent(g) FROM unnest(p_geoms) g)::geometry;
  END IF;
  IF v_ids IS NOT NULL THEN
    PERFORM sg_refresh_task_conflicts(v_ids);
  END IF;
END
$$;

-- Every current conflict of a country's active tasks among the tasks this reader may see: the
-- stored candidates (kept current by triggers) that the overlap rule holds significant. A pair of
-- tasks is listed once, from the task with the smaller id when both are in the country.
CREATE OR REPLACE FUNCTION sg_country_task_conflicts(p_iso3 char(3), p_min_share double precision, p_min_m2 double precision,
                                                     p_reader_org bigint, p_governs text[])
RETURNS TABLE (task_id bigint, organisation_id bigint, kind text, other_task_id bigint, other_organisation_id bigint,
               overlap_m2 double precision, release_ids bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.id, t.organisation_id, CASE WHEN c.other_task_id IS NULL THEN 'released' ELSE 'task' END,
         c.other_task_id, o.organisation_id, c.overlap_m2, c.release_ids
    FROM tasks t
    JOIN task_conflict_candidates c ON c.task_id = t.id
    LEFT JOIN tasks o ON o.id = c.other_task_id
   WHERE t.country_iso3 = p_iso3 AND sg_task_active(t.status)
     AND sg_task_overlap_significant(c.overlap_m2, t.area_m2, c.other_m2, p_min_share, p_min_m2)
     AND sg_task_visible(t.status, t.country_iso3, t.organisation_id, p_reader_org, p_governs)
     AND (c.other_task_id IS NULL
          OR (sg_task_visible(o.status, o.country_iso3, o.organisation_id, p_reader_org, p_governs)
              AND (t.id < o.id OR o.country_iso3 <> p_iso3)))
   ORDER BY t.id, c.other_task_id NULLS LAST
$$;

-- Tasks (z 4-16), one feature per task: operator (acronym, else name), donors (acronyms of the
-- donors of its grants that this reader may see, comma-separated), status and method. p_donor
-- keeps tasks funded by that donor's grants (visible ones only), p_operator those of that
-- organisation. Restricted countries outside the reader's exact scope (p_exact, as for hazards)
-- show each task as the block of grid cells covering it (sg_visible_geometry), generalised = true.
CREATE OR REPLACE FUNCTION sg_tile_tasks(p_z int, p_x int, p_y int, p_exact text[], p_reader_org bigint, p_governs text[],
                                         p_donor bigint, p_operator bigint)
RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  b record := sg_tile_bounds(p_z, p_x, p_y);
  v_hidden char(3)[] := sg_hidden_countries(p_exact);
  v_reach geometry := coalesce(sg_cells_reach(b.tile, v_hidden), b.box);
  v_tile bytea;
BEGIN
  SELECT ST_AsMVT(f, 'tasks', 4096, 'geom', 'fid') INTO v_tile FROM (
    SELECT t.id AS fid, t.id, t.country_iso3::text AS country_iso3, t.organisation_id AS operator_id,
           coalesce(org.acronym, org.name) AS operator, d.donors, t.status::text AS status, t.method::text AS method,
           t.planned_start::text AS planned_start, t.planned_end::text AS planned_end,
           CASE WHEN t.country_iso3 = ANY(v_hidden) THEN true END AS generalised,
           sg_restriction_cell_km(t.country_iso3, p_exact) AS cell_km,
           ST_AsMVTGeom(ST_Transform(sg_visible_geometry(t.geom, t.country_iso3, p_exact), 3857), b.tile, 4096, 64, true) AS geom
      FROM tasks t
      JOIN organisations org ON org.id = t.organisation_id
      CROSS JOIN LATERAL (
        SELECT string_agg(DISTINCT coalesce(dn.acronym, dn.name), ',') AS donors,
               coalesce(bool_or(g.donor_id = p_donor), false) AS has_donor
          FROM task_funding tf JOIN grants g ON g.id = tf.grant_id AND g.deleted_at IS NULL
          JOIN organisations dn ON dn.id = g.donor_id
         WHERE tf.task_id = t.id
           AND sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id, p_reader_org, p_governs)
      ) d
     WHERE (t.geom && b.box OR (t.country_iso3 = ANY(v_hidden) AND t.geom && v_reach))
       AND sg_task_visible(t.status, t.country_iso3, t.organisation_id, p_reader_org, p_governs)
       AND (p_operator IS NULL OR t.organisation_id = p_operator)
       AND (p_donor IS NULL OR d.has_donor)
  ) f;
  RETURN coalesce(v_tile, '');
END
$$;

-- Parts, then stored candidates, for the active tasks that have none yet: every task when the
-- tables are new. A lookup per active task when there is nothing to do.
SELECT sg_refresh_task_parts(array_agg(t.id))
  FROM tasks t
 WHERE sg_task_active(t.status) AND NOT EXISTS (SELECT 1 FROM task_parts p WHERE p.task_id = t.id)
HAVING count(*) > 0;
SELECT sg_refresh_task_conflicts(array_agg(t.id))
  FROM tasks t
 WHERE sg_task_active(t.status)
   AND NOT EXISTS (SELECT 1 FROM task_conflict_candidates c WHERE c.task_id = t.id AND c.other_task_id IS NULL)
HAVING count(*) > 0;
