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

-- Every conflict of one task (its area, organisation and planned dates; p_except_task is its own
-- id, NULL for a proposal not yet stored):
--  kind 'task': an active task (sg_task_active) of ANOTHER organisation whose planned date range
--    overlaps this one's (inclusive) and whose area overlaps this one's beyond the rule above;
--  kind 'released': land already released under the task: the union of approved releases (of
--    live hazards) completed before the task's planned start and not recorded under this task,
--    where it overlaps the task beyond the rule above (the two areas being the task's and that
--    union's). At most one such row, naming the releases.
CREATE OR REPLACE FUNCTION sg_task_conflicts(p_geom geometry, p_area_m2 double precision, p_organisation bigint,
                                             p_start date, p_end date, p_except_task bigint,
                                             p_min_share double precision, p_min_m2 double precision)
RETURNS TABLE (kind text, task_id bigint, organisation_id bigint, overlap_m2 double precision, release_ids bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'task', t.id, t.organisation_id, o.m2, NULL::bigint[]
    FROM tasks t
   CROSS JOIN LATERAL (SELECT sg_geodesic_area(sg_polygonal(ST_Intersection(p_geom, t.geom))) AS m2) o
   WHERE t.geom && p_geom AND ST_Intersects(t.geom, p_geom)
     AND t.id IS DISTINCT FROM p_except_task AND t.organisation_id <> p_organisation AND sg_task_active(t.status)
     AND t.planned_start <= p_end AND p_start <= t.planned_end
     AND sg_task_overlap_significant(o.m2, p_area_m2, t.area_m2, p_min_share, p_min_m2)
  UNION ALL
  SELECT 'released', NULL, NULL, o.m2, r.ids
    FROM (SELECT ST_Union(l.geom) AS g, array_agg(l.id ORDER BY l.id) AS ids
            FROM land_releases l JOIN hazards h ON h.id = l.hazard_id AND h.deleted_at IS NULL
           WHERE l.geom && p_geom AND ST_Intersects(l.geom, p_geom) AND l.status = 'approved'
             AND l.completed_on < p_start AND (l.task_id = p_except_task) IS NOT TRUE) r
   CROSS JOIN LATERAL (SELECT sg_geodesic_area(sg_polygonal(ST_Intersection(p_geom, r.g))) AS m2) o
   WHERE r.g IS NOT NULL AND sg_task_overlap_significant(o.m2, p_area_m2, sg_geodesic_area(r.g), p_min_share, p_min_m2)
$$;

-- Every current conflict of a country's active tasks, as sg_task_conflicts finds them for each
-- (the same rule, applied task by task through the spatial index), among the tasks this reader
-- may see. A pair of tasks is listed once, from the task with the smaller id when both are in
-- the country.
CREATE OR REPLACE FUNCTION sg_country_task_conflicts(p_iso3 char(3), p_min_share double precision, p_min_m2 double precision,
                                                     p_reader_org bigint, p_governs text[])
RETURNS TABLE (task_id bigint, organisation_id bigint, kind text, other_task_id bigint, other_organisation_id bigint,
               overlap_m2 double precision, release_ids bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.id, t.organisation_id, c.kind, c.task_id, c.organisation_id, c.overlap_m2, c.release_ids
    FROM tasks t
   CROSS JOIN LATERAL sg_task_conflicts(t.geom, t.area_m2, t.organisation_id, t.planned_start, t.planned_end, t.id,
                                        p_min_share, p_min_m2) c
    LEFT JOIN tasks o ON o.id = c.task_id
   WHERE t.country_iso3 = p_iso3 AND sg_task_active(t.status)
     AND sg_task_visible(t.status, t.country_iso3, t.organisation_id, p_reader_org, p_governs)
     AND (c.kind = 'released'
          OR (sg_task_visible(o.status, o.country_iso3, o.organisation_id, p_reader_org, p_governs)
              AND (t.id < o.id OR o.country_iso3 <> p_iso3)))
   ORDER BY t.id, c.kind DESC, c.task_id
$$;

-- Tasks (z 4-16), one feature per task: operator (acronym, else name), donors (acronyms of the
-- donors of its grants that this reader may see, comma-separated), status and method. p_donor
-- keeps tasks funded by that donor's grants (visible ones only), p_operator those of that
-- organisation. Restricted countries outside the reader's exact scope (p_exact, as for hazards)
-- show each task as the block of grid cells covering it (sg_visible_geometry), generalised = true.
CREATE OR REPLACE FUNCTION sg_tile_tasks(p_z int, p_x int, p_y int, p_exact text[], p_reader_org bigint, p_governs text[],
                                         p_donor bigint, p_operator bigint)
RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off AS $$
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
  ) f WHERE f.geom IS NOT NULL;
  RETURN coalesce(v_tile, '');
END
$$;
