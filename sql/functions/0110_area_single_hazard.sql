-- The area engine's bulk path (called by sg_cluster_days in 0100_area_engine.sql).

-- sg_cluster_days_sql for clusters of one live hazard without approved releases and with no
-- contamination type twice: one event day (its recorded day) whose found area is the hazard's
-- own area in 'all' and in each of its contamination types, and per touched province the same
-- area (covered) or that of its intersection with the province: the same expressions on the
-- same geometry as the general query, so the same numbers, without unions or stages.
CREATE OR REPLACE FUNCTION sg_single_hazard_days(p_clusters bigint[])
RETURNS TABLE (cluster_id bigint, day date, dim_kind text, dim_key text,
               found_m2 double precision, cancelled_m2 double precision,
               reduced_m2 double precision, cleared_m2 double precision)
LANGUAGE sql STABLE AS $$
  WITH members AS (
    SELECT h.cluster_id AS cid, h.recorded_on AS day, h.geom, h.contamination, h.country_iso3, sg_geodesic_area(h.geom) AS area
      FROM unnest(p_clusters) AS c(id)
      JOIN hazards h ON h.cluster_id = c.id
     WHERE h.deleted_at IS NULL
  )
  SELECT cid, day, 'all', '', area, 0, 0, 0 FROM members WHERE area <> 0
  UNION ALL
  SELECT m.cid, m.day, 'contamination', c::text, m.area, 0, 0, 0
    FROM members m, unnest(m.contamination) AS c
   WHERE m.area <> 0
  UNION ALL
  -- Provinces are found through their pieces (0007_subdivided_boundaries.sql): inside one piece
  -- means covered; a hazard crossing a piece's edge is measured against the whole province.
  SELECT m.cid, m.day, 'province', t.code, a.area, 0, 0, 0
    FROM members m
    CROSS JOIN LATERAL (
      SELECT r.code, bool_or(r.covered) AS in_piece
        FROM (SELECT pp.code, pp.geom, ST_CoveredBy(m.geom, pp.geom) AS covered
                FROM province_pieces pp
               WHERE pp.country_iso3 = m.country_iso3 AND pp.geom && m.geom
              OFFSET 0) r
       -- Covered implies intersecting: the second test only for the pieces the hazard crosses.
       WHERE r.covered OR ST_Intersects(r.geom, m.geom)
       GROUP BY r.code
    ) t
    CROSS JOIN LATERAL (
      SELECT CASE WHEN t.in_piece THEN m.area
                  ELSE (SELECT CASE WHEN ST_CoveredBy(m.geom, p.geom) THEN m.area
                                    ELSE sg_geodesic_area(ST_Intersection(m.geom, p.geom)) END
                          FROM provinces p WHERE p.code = t.code) END AS area
    ) a
   WHERE a.area <> 0
$$;
