-- IATI activity export: what an activity file says about a grant beyond its own row.

-- Land released under each grant, per calendar year (m²): the attribution rule
-- (sql/functions/0720_attribution.sql) with the grant as the funder, so that its figure is the land
-- released with its money, overlaps counted once, times its shares.
CREATE OR REPLACE FUNCTION sg_iati_grant_released(p_grant_ids bigint[])
RETURNS TABLE (grant_id bigint, year integer, released_m2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT a.funder_id, a.year, sum(a.counted_m2 * a.share::double precision)
    FROM release_attribution a
   WHERE a.funder_kind = 'grant' AND a.funder_id = ANY(p_grant_ids)
   GROUP BY a.funder_id, a.year
$$;
-- One point per task a grant pays for (approved or later, not rejected or cancelled): a point on
-- the task's area, moved to the centre of its grid cell when the task's country restricts its
-- polygons and the reader (exact scope p_exact, as sg_restriction_cell_km) may not see them.
CREATE OR REPLACE FUNCTION sg_iati_task_points(p_grant_ids bigint[], p_exact text[])
RETURNS TABLE (grant_id bigint, task_id bigint, organisation_id bigint, lng double precision, lat double precision, generalised boolean)
LANGUAGE sql STABLE AS $$
  SELECT f.grant_id, t.id, t.organisation_id, ST_X(q.p), ST_Y(q.p), x.cell_km IS NOT NULL
    FROM task_funding f
    JOIN tasks t ON t.id = f.task_id
   CROSS JOIN LATERAL (SELECT sg_restriction_cell_km(t.country_iso3, p_exact) AS cell_km) x
   CROSS JOIN LATERAL (SELECT CASE WHEN x.cell_km IS NULL THEN ST_PointOnSurface(t.geom)
                                   ELSE sg_generalise_point(ST_PointOnSurface(t.geom), x.cell_km) END AS p) q
   WHERE f.grant_id = ANY(p_grant_ids) AND t.status IN ('approved', 'ongoing', 'suspended', 'completed')
   ORDER BY f.grant_id, t.id
$$;
