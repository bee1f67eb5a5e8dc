-- Deployment planning: the release history that productivity and land-release shares are measured
-- from. These functions only gather rows; the working days, the ratios, the quantiles and the
-- fallbacks are computed in one place in TypeScript (server/src/planner/productivity.service.ts).

-- Every approved release of the country (hazards not deleted), with what productivity needs:
-- the organisation that did the work (the release's own, else its task's), the team type of the
-- task's team when the task names one (NULL otherwise: the method's default type applies), that
-- team's calendar, and the dates and area. Releases without a start date are listed too (they
-- show that an organisation works there) and left out of the measurement by the caller.
-- One row per organisation, method and team calendar, its releases as three parallel JSON arrays
-- in release order (days since 1970-01-01 and m²): a country has a hundred thousand releases, and
-- a row each made reading them the slowest step of computing a plan.
DROP FUNCTION IF EXISTS sg_productivity_releases(char(3));
CREATE FUNCTION sg_productivity_releases(p_iso3 char(3))
RETURNS TABLE (organisation_id bigint, organisation_name text, method release_method, team_type team_type,
               working_days_per_week smallint, stand_downs jsonb, start_days json, completed_days json,
               areas_m2 json)
-- Without JIT, here and in sg_release_share_areas: over a country's whole release history the
-- estimated cost makes PostgreSQL compile the query, which takes longer than running it.
LANGUAGE sql STABLE SET jit = off AS $$
  SELECT o.id, o.name, r.method, tm.type, tm.working_days_per_week, tm.stand_downs,
         json_agg(r.start_on - DATE '1970-01-01' ORDER BY r.id),
         json_agg(r.completed_on - DATE '1970-01-01' ORDER BY r.id),
         json_agg(r.area_m2 ORDER BY r.id)
    FROM land_releases r
    JOIN hazards h ON h.id = r.hazard_id
    LEFT JOIN tasks t ON t.id = r.task_id
    LEFT JOIN teams tm ON tm.id = t.team_id
    LEFT JOIN organisations o ON o.id = coalesce(r.organisation_id, t.organisation_id)
   WHERE h.country_iso3 = p_iso3 AND h.deleted_at IS NULL AND r.status = 'approved'
   GROUP BY o.id, o.name, r.method, tm.type, tm.working_days_per_week, tm.stand_downs
   ORDER BY o.id NULLS FIRST, r.method, tm.type NULLS FIRST, tm.working_days_per_week, tm.stand_downs
$$;

-- The team types each organisation has in the country (teams not deleted), whatever their active
-- period: every one gets a productivity figure.
CREATE OR REPLACE FUNCTION sg_productivity_team_types(p_iso3 char(3))
RETURNS TABLE (organisation_id bigint, organisation_name text, team_type team_type)
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT o.id, o.name, tm.type
    FROM teams tm
    JOIN organisations o ON o.id = tm.organisation_id
   WHERE tm.country_iso3 = p_iso3 AND tm.deleted_at IS NULL
   ORDER BY o.id, tm.type
$$;

-- Approved released area of the country per hazard classification (SHA, CHA) and method: the
-- basis of the land-release shares (hazards not deleted, each release's area as recorded).
CREATE OR REPLACE FUNCTION sg_release_share_areas(p_iso3 char(3))
RETURNS TABLE (classification hazard_classification, method release_method, area_m2 double precision)
LANGUAGE sql STABLE SET jit = off AS $$
  SELECT h.classification, r.method, sum(r.area_m2)
    FROM land_releases r
    JOIN hazards h ON h.id = r.hazard_id
   WHERE h.country_iso3 = p_iso3 AND h.deleted_at IS NULL AND r.status = 'approved'
   GROUP BY h.classification, r.method
   ORDER BY h.classification, r.method
$$;
