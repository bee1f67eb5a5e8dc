-- Deployment plans: the hazards a plan works on, what remains of each with overlaps counted once,
-- and the work packages of nearby hazards they are grouped into.

-- Whether a hazard's contamination falls in a plan's scope: 'ccm' cluster munition remnants,
-- 'apmbc' anti-personnel mines, 'all' every hazard.
CREATE OR REPLACE FUNCTION sg_plan_in_scope(p_contamination contamination_type[], p_scope text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_scope
    WHEN 'ccm' THEN 'cmr' = ANY (p_contamination)
    WHEN 'apmbc' THEN 'ap_mines' = ANY (p_contamination)
    ELSE true
  END
$$;

-- The open hazards of a country in a plan's scope with land left, each with:
--  * remaining_m2: its remaining geometry minus the remaining geometry of the lower-id hazards in
--    scope it overlaps (same engine cluster), so overlapping ground is worked once and the plan's
--    total equals the country's remaining area in scope;
--  * deadline: the nearest current deadline of the in-progress treaty obligations the hazard falls
--    under within the scope (cmr → CCM, ap_mines → APMBC), and treaty, those treaties' names;
--  * its point on surface (lng, lat);
--  * package: its work package. Hazards are clustered by ST_ClusterDBSCAN on their points in
--    metres (the UTM zone of the country's centroid) with the travel radius as eps and minpoints 1,
--    separately per priority class and treaty; a cluster of more than p_max_hazards is split by
--    ST_ClusterKMeans into about p_max_hazards each (two levels, so a country-wide cluster of
--    100,000 hazards costs two small k-means instead of one with thousands of centres), and any
--    part still too large is cut in order of x.
-- Packages are numbered 1.. in order of priority class (unassessed last), treaty and position.
CREATE OR REPLACE FUNCTION sg_plan_hazards(p_iso3 text, p_scope text, p_radius_m double precision, p_max_hazards integer)
RETURNS TABLE (hazard_id bigint, package integer, classification hazard_classification, priority smallint,
               remaining_m2 double precision, deadline date, treaty text, lng double precision,
               lat double precision)
-- Without JIT: the spatial joins' estimated costs make PostgreSQL compile the query, which takes
-- as long as a third of running it.
LANGUAGE sql STABLE SET jit = off AS $$
  -- The two one-row CTEs are MATERIALIZED: inlined, every hazard row would carry the country's
  -- boundary (to compute the zone from) through the sorts of the window functions.
  WITH zone AS MATERIALIZED (
    SELECT (CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END) + LEAST(60, floor((ST_X(c) + 180) / 6)::int + 1) AS srid
      FROM (SELECT ST_Centroid(geom) AS c FROM countries WHERE iso3 = p_iso3) k
  ),
  deadlines AS MATERIALIZED (
    SELECT min(current_deadline) FILTER (WHERE treaty = 'CCM' AND p_scope <> 'apmbc') AS ccm,
           min(current_deadline) FILTER (WHERE treaty = 'APMBC' AND p_scope <> 'ccm') AS apmbc,
           bool_or(treaty = 'CCM' AND p_scope <> 'apmbc') AS ccm_applies,
           bool_or(treaty = 'APMBC' AND p_scope <> 'ccm') AS apmbc_applies
      FROM obligations
     WHERE country_iso3 = p_iso3 AND status = 'in_progress'
  ),
  -- Most hazards are alone in their engine cluster: only those that share one look for lower-id
  -- hazards to subtract (a third of the time of this step at 100,000 hazards).
  open_hazards AS (
    SELECT h.id, h.cluster_id, h.classification, h.priority, h.contamination, h.remaining_m2, h.remaining_geom,
           count(*) OVER (PARTITION BY h.cluster_id) AS cluster_members
      FROM hazards h
     WHERE h.country_iso3 = p_iso3 AND h.deleted_at IS NULL AND h.status = 'open' AND h.remaining_m2 > 0
       AND sg_plan_in_scope(h.contamination, p_scope)
  ),
  measured AS (
    SELECT h.id, h.classification, h.priority, h.contamination,
           CASE WHEN lower_part.g IS NULL THEN h.remaining_m2
                ELSE sg_geodesic_area(sg_polygonal(ST_Difference(h.remaining_geom, lower_part.g))) END AS own_m2,
           ST_PointOnSurface(h.remaining_geom) AS point
      FROM open_hazards h
      LEFT JOIN LATERAL (
        SELECT ST_Union(o.remaining_geom) AS g
          FROM hazards o
         WHERE o.cluster_id = h.cluster_id AND o.id < h.id
           AND o.deleted_at IS NULL AND o.status = 'open' AND o.remaining_m2 > 0
           AND o.country_iso3 = p_iso3
           AND sg_plan_in_scope(o.contamination, p_scope)
           AND o.remaining_geom && h.remaining_geom AND ST_Intersects(o.remaining_geom, h.remaining_geom)
      ) lower_part ON h.cluster_members > 1
  ),
  located AS (
    SELECT m.*, ST_Transform(m.point, z.srid) AS xy,
           concat_ws('+', CASE WHEN d.ccm_applies AND 'cmr' = ANY (m.contamination) THEN 'CCM' END,
                          CASE WHEN d.apmbc_applies AND 'ap_mines' = ANY (m.contamination) THEN 'APMBC' END) AS treaty,
           LEAST(CASE WHEN 'cmr' = ANY (m.contamination) THEN d.ccm END,
                 CASE WHEN 'ap_mines' = ANY (m.contamination) THEN d.apmbc END) AS deadline
      FROM measured m CROSS JOIN zone z CROSS JOIN deadlines d
     WHERE m.own_m2 > 0
  ),
  near AS (
    SELECT l.*, ST_ClusterDBSCAN(l.xy, p_radius_m, 1) OVER (PARTITION BY l.priority, l.treaty) AS near
      FROM located l
  ),
  sized AS (
    SELECT n.*, count(*) OVER (PARTITION BY n.priority, n.treaty, n.near) AS size FROM near n
  ),
  -- First level: about sqrt(size / max) groups of about sqrt(size × max) hazards.
  coarse AS (
    SELECT s.*,
           CASE WHEN s.size <= p_max_hazards THEN 0
                ELSE ST_ClusterKMeans(s.xy, ceil(sqrt(s.size::double precision / p_max_hazards))::int)
                       OVER (PARTITION BY s.priority, s.treaty, s.near) END AS coarse
      FROM sized s
  ),
  coarse_sized AS (
    SELECT c.*, count(*) OVER (PARTITION BY c.priority, c.treaty, c.near, c.coarse) AS coarse_size FROM coarse c
  ),
  fine AS (
    SELECT c.*,
           CASE WHEN c.coarse_size <= p_max_hazards THEN 0
                ELSE ST_ClusterKMeans(c.xy, ceil(c.coarse_size::double precision / p_max_hazards)::int)
                       OVER (PARTITION BY c.priority, c.treaty, c.near, c.coarse) END AS fine
      FROM coarse_sized c
  ),
  cut AS (
    SELECT f.*,
           (row_number() OVER (PARTITION BY f.priority, f.treaty, f.near, f.coarse, f.fine
                               ORDER BY ST_X(f.xy), ST_Y(f.xy), f.id) - 1) / p_max_hazards AS piece
      FROM fine f
  )
  SELECT c.id, dense_rank() OVER (ORDER BY c.priority NULLS LAST, c.treaty, c.near, c.coarse, c.fine, c.piece)::int,
         c.classification, c.priority, c.own_m2, c.deadline, c.treaty, ST_X(c.point), ST_Y(c.point)
    FROM cut c
$$;

-- The map outline of each package of a plan: the union of its hazards' remaining land, simplified
-- to about 10 m (enough for a map of work packages, far lighter than the hazards themselves; made
-- valid again where simplifying crossed an edge), and the province its outline's point on surface
-- lies in. The union is ST_Buffer(ST_Collect(..), 0), which dissolves the same overlaps as
-- ST_Union in half the time for packages of small polygons;
-- the province comes from the subdivided boundaries, as a point in one of 2,000 packages per
-- plan, not in each of 100,000 hazards. On a shared boundary the lowest code wins, as in
-- sg_province_at.
CREATE OR REPLACE FUNCTION sg_plan_package_outlines(p_plan bigint) RETURNS void
LANGUAGE sql SET jit = off AS $$
  WITH members AS MATERIALIZED (
    SELECT p.package_id, ids.id FROM plan_packages p CROSS JOIN LATERAL unnest(p.hazard_ids) AS ids(id)
     WHERE p.plan_id = p_plan
  ),
  outlines AS (
    SELECT m.package_id, sg_polygonal(ST_Simplify(ST_Buffer(ST_Collect(h.remaining_geom), 0), 0.0001, true)) AS g
      FROM members m JOIN hazards h ON h.id = m.id
     GROUP BY m.package_id
  )
  UPDATE plan_packages pp
     SET geom = o.g,
         province_code = (SELECT pc.code
                            FROM province_pieces pc, LATERAL (SELECT ST_PointOnSurface(o.g) AS pt) s
                           WHERE pc.country_iso3 = pl.country_iso3 AND pc.geom && s.pt AND ST_Covers(pc.geom, s.pt)
                           ORDER BY pc.code
                           LIMIT 1)
    FROM outlines o, plans pl
   WHERE pl.id = p_plan AND pp.plan_id = p_plan AND pp.package_id = o.package_id
$$;
