-- Data-quality checks per country (server/src/quality), in the spirit of GICHD's geocheck. Every
-- check returns one row per finding: the feature to look at, a human-readable detail, an area
-- where one applies and the bounding box to zoom to. Thresholds are parameters: their values and
-- the reasons for them live in server/src/quality/quality.thresholds.ts. Pairwise checks join
-- through the GiST index (&&) before any exact predicate, so a country of 100,000 hazards only
-- compares neighbours. The country code is cast to char(3), the column's type, so that the
-- (country_iso3, id) index applies (compared as text it would not). Pairs are ordered with
-- `b.id - a.id > 0`, which no index can serve, so the planner never ANDs a primary-key range scan
-- (half the table per hazard) into the GiST lookup.

CREATE OR REPLACE FUNCTION sg_bbox_array(g geometry) RETURNS double precision[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY[ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g)]
$$;

CREATE OR REPLACE FUNCTION sg_quality_label(p_entity text, p_id bigint, p_ref text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_entity || ' ' || p_id || CASE WHEN p_ref IS NULL THEN '' ELSE ' (' || p_ref || ')' END
$$;

CREATE OR REPLACE FUNCTION sg_m2_text(p_m2 double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(round(p_m2::numeric), 'FM999,999,999,999,990') || ' m²'
$$;

-- Features whose stored geometry is ST_MakeValid's repair of what was submitted (the write's
-- warnings say so): the repair kept the area, but the shape may not be what the surveyor meant.
CREATE OR REPLACE FUNCTION sg_quality_repaired(p_iso3 text)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  SELECT 'hazard', h.id, h.external_ref, w.note, h.area_m2, sg_bbox_array(h.geom)
    FROM hazards h
    CROSS JOIN LATERAL (SELECT string_agg(x, '; ') AS note FROM unnest(h.warnings) x WHERE x LIKE 'geometry repaired:%') w
   WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND w.note IS NOT NULL
  UNION ALL
  SELECT 'release', r.id, r.external_ref, w.note, r.area_m2, sg_bbox_array(r.geom)
    FROM land_releases r
    JOIN hazards h ON h.id = r.hazard_id
    CROSS JOIN LATERAL (SELECT string_agg(x, '; ') AS note FROM unnest(r.warnings) x WHERE x LIKE 'geometry repaired:%') w
   WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND r.status <> 'rejected' AND w.note IS NOT NULL
$$;

-- Hazards whose geometry equals an earlier hazard's, or differs from it by less than
-- p_max_difference_m2 (symmetric difference). The symmetric difference is at least the difference
-- of the two areas, so pairs whose areas differ more are skipped before any overlay. Each
-- duplicate is reported once, against the oldest hazard it repeats.
CREATE OR REPLACE FUNCTION sg_quality_duplicate_geometry(p_iso3 text, p_max_difference_m2 double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT ON (b.id) 'hazard', b.id, b.external_ref,
         CASE WHEN ST_Equals(a.geom, b.geom) THEN 'same geometry as ' || sg_quality_label('hazard', a.id, a.external_ref)
              ELSE 'geometry differs from ' || sg_quality_label('hazard', a.id, a.external_ref) || ' by only '
                   || sg_m2_text(sg_geodesic_area(ST_SymDifference(a.geom, b.geom))) END,
         b.area_m2, sg_bbox_array(b.geom)
    FROM hazards a
    JOIN hazards b ON b.geom && a.geom AND b.id - a.id > 0 AND b.country_iso3 = a.country_iso3 AND b.deleted_at IS NULL
   WHERE a.country_iso3 = p_iso3::char(3) AND a.deleted_at IS NULL
     AND abs(a.area_m2 - b.area_m2) < p_max_difference_m2
     AND (ST_Equals(a.geom, b.geom) OR sg_geodesic_area(ST_SymDifference(a.geom, b.geom)) < p_max_difference_m2)
   ORDER BY b.id, a.id
$$;

-- A reference repeated among the country's live hazards, or among its releases, ignoring case and
-- surrounding or repeated blanks (the unique index only stops exact repeats among hazards). Every
-- feature after the first with that reference is reported.
CREATE OR REPLACE FUNCTION sg_quality_duplicate_reference(p_iso3 text)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  WITH refs AS (
    SELECT 'hazard' AS entity, h.id, h.external_ref AS ref, h.area_m2, h.geom
      FROM hazards h
     WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND h.external_ref IS NOT NULL
    UNION ALL
    SELECT 'release', r.id, r.external_ref, r.area_m2, r.geom
      FROM land_releases r JOIN hazards h ON h.id = r.hazard_id
     WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND r.status <> 'rejected' AND r.external_ref IS NOT NULL
  ),
  ranked AS (
    SELECT refs.*,
           first_value(refs.id) OVER w AS first_id,
           first_value(refs.ref) OVER w AS first_ref
      FROM refs
    WINDOW w AS (PARTITION BY refs.entity, lower(regexp_replace(btrim(refs.ref), '\s+', ' ', 'g')) ORDER BY refs.id)
  )
  SELECT entity, id, ref,
         'reference "' || ref || '" repeats that of ' || sg_quality_label(entity, first_id, first_ref),
         area_m2, sg_bbox_array(geom)
    FROM ranked
   WHERE id <> first_id
$$;

-- Pairs of live hazards sharing at least p_min_overlap_m2 (geodesic). Pairs that are duplicates
-- (symmetric difference below p_duplicate_m2, i.e. area(a) + area(b) - 2 overlap) are left to the
-- duplicate check. Reported on the newer hazard of each pair, with the overlap's area and extent.
CREATE OR REPLACE FUNCTION sg_quality_overlaps(p_iso3 text, p_min_overlap_m2 double precision, p_duplicate_m2 double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  WITH pairs AS MATERIALIZED (
    SELECT a.id AS a_id, a.external_ref AS a_ref, a.area_m2 AS a_m2, b.id AS b_id, b.external_ref AS b_ref, b.area_m2 AS b_m2,
           sg_polygonal(ST_Intersection(a.geom, b.geom)) AS shared
      FROM hazards a
      JOIN hazards b ON b.geom && a.geom AND b.id - a.id > 0 AND b.country_iso3 = a.country_iso3 AND b.deleted_at IS NULL
                    AND ST_Intersects(a.geom, b.geom)
     WHERE a.country_iso3 = p_iso3::char(3) AND a.deleted_at IS NULL
  ),
  measured AS (
    SELECT pairs.*, sg_geodesic_area(shared) AS m2 FROM pairs
  )
  SELECT 'hazard', b_id, b_ref, 'overlaps ' || sg_quality_label('hazard', a_id, a_ref) || ' by ' || sg_m2_text(m2),
         m2, sg_bbox_array(shared)
    FROM measured
   WHERE m2 >= p_min_overlap_m2 AND a_m2 + b_m2 - 2 * m2 >= p_duplicate_m2
$$;

-- Polygon parts (of live hazards) that are tiny, or thin: area / perimeter² below p_max_thinness
-- (a square has 1/16) while the mean width 2 · area / perimeter is under p_max_width_m. The
-- thinnest part of each hazard is reported. Only parts whose planar width in degrees could be that
-- narrow are measured on the ellipsoid: a degree is at least 110 km · cos(latitude) wide in any
-- direction, and a part smaller than p_min_area_m2 is never wider than sqrt(area / π) (isoperimetric).
CREATE OR REPLACE FUNCTION sg_quality_slivers(p_iso3 text, p_min_area_m2 double precision, p_max_thinness double precision,
                                              p_max_width_m double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT ON (h.id) 'hazard', h.id, h.external_ref,
         CASE WHEN s.parts > 1 THEN 'part ' || s.part || ' of ' || s.parts || ': ' ELSE '' END
           || sg_m2_text(s.m2)
           || CASE WHEN s.m2 < p_min_area_m2 THEN ', smaller than ' || sg_m2_text(p_min_area_m2)
                   ELSE ', ' || round((2 * s.m2 / s.perimeter)::numeric, 2) || ' m wide on average' END,
         s.m2, sg_bbox_array(s.geom)
    FROM hazards h
    CROSS JOIN LATERAL (
      SELECT d.path[1] AS part, ST_NumGeometries(h.geom) AS parts, d.geom,
             sg_geodesic_area(d.geom) AS m2, ST_Perimeter(d.geom::geography) AS perimeter
        FROM ST_Dump(h.geom) d
       WHERE 2 * ST_Area(d.geom) / ST_Perimeter(d.geom) * 110000 * cos(radians(ST_Y(ST_Centroid(d.geom))))
             < greatest(p_max_width_m, sqrt(p_min_area_m2 / pi()))
    ) s
   WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL
     AND (s.m2 < p_min_area_m2
          OR (s.m2 / (s.perimeter * s.perimeter) < p_max_thinness AND 2 * s.m2 / s.perimeter < p_max_width_m))
   ORDER BY h.id, s.m2 / (s.perimeter * s.perimeter)
$$;

-- The sharpest corner of a polygonal geometry: the smallest angle between the two edges meeting at
-- any vertex, in degrees (0 = a spike going out and coming straight back). Longitudes are scaled by
-- cos(latitude) so the angle is the one seen on the ground; repeated points are dropped first.
CREATE OR REPLACE FUNCTION sg_sharpest_vertex(g geometry)
RETURNS TABLE (angle_deg double precision, vertex geometry)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH rings AS (
    SELECT p.path AS part, r.path AS ring_no, ST_ExteriorRing(r.geom) AS ring
      FROM ST_Dump(ST_RemoveRepeatedPoints(g)) p
      CROSS JOIN LATERAL ST_DumpRings(p.geom) r
  ),
  coords AS (
    SELECT array_agg(ST_X(d.geom) ORDER BY d.path) AS xs, array_agg(ST_Y(d.geom) ORDER BY d.path) AS ys
      FROM rings CROSS JOIN LATERAL ST_DumpPoints(rings.ring) d
     GROUP BY rings.part, rings.ring_no
  ),
  -- Vertex i (2..n; n closes the ring onto 1) with its neighbours i-1 and i+1 (2 after n).
  corners AS (
    SELECT c.xs[i] AS x, c.ys[i] AS y,
           (c.xs[i - 1] - c.xs[i]) * cos(radians(c.ys[i])) AS ux, c.ys[i - 1] - c.ys[i] AS uy,
           (c.xs[CASE WHEN i = n THEN 2 ELSE i + 1 END] - c.xs[i]) * cos(radians(c.ys[i])) AS vx,
           c.ys[CASE WHEN i = n THEN 2 ELSE i + 1 END] - c.ys[i] AS vy
      FROM coords c
      CROSS JOIN LATERAL (SELECT cardinality(c.xs) AS n) k
      CROSS JOIN LATERAL generate_series(2, k.n) AS i
     WHERE k.n >= 4
  )
  SELECT degrees(atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy)), ST_SetSRID(ST_MakePoint(x, y), 4326)
    FROM corners
   ORDER BY 1
   LIMIT 1
$$;

-- Live hazards with a corner sharper than p_max_angle_deg: a spike (needle) out of the polygon or a
-- crack into it, the usual trace of a mistyped or misordered vertex.
CREATE OR REPLACE FUNCTION sg_quality_needles(p_iso3 text, p_max_angle_deg double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  SELECT 'hazard', h.id, h.external_ref,
         'a corner of ' || round(v.angle_deg::numeric, 2) || '° at ' || round(ST_X(v.vertex)::numeric, 6) || ' '
           || round(ST_Y(v.vertex)::numeric, 6),
         h.area_m2, sg_bbox_array(h.geom)
    FROM hazards h
    CROSS JOIN LATERAL sg_sharpest_vertex(h.geom) v
   WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND v.angle_deg < p_max_angle_deg
$$;

-- Live hazards reaching farther than p_tolerance_m outside their country (the write path rejects
-- them, but boundaries get updated and older data predates the check). ST_Covers with the country
-- first lets PostGIS prepare the country polygon once for all its hazards.
CREATE OR REPLACE FUNCTION sg_quality_outside_country(p_iso3 text, p_tolerance_m double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  WITH uncovered AS MATERIALIZED (
    SELECT h.id, h.external_ref, h.geom
      FROM hazards h JOIN countries c ON c.iso3 = h.country_iso3
     WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND NOT ST_Covers(c.geom, h.geom)
  )
  SELECT 'hazard', u.id, u.external_ref,
         sg_m2_text(o.outside_m2) || ' outside ' || p_iso3 || ', up to ' || round(o.max_distance_m) || ' m beyond the boundary (tolerance '
           || round(p_tolerance_m) || ' m)',
         o.outside_m2, sg_bbox_array(u.geom)
    FROM uncovered u
    CROSS JOIN LATERAL sg_outside_country(u.geom, p_iso3) o
   WHERE o.max_distance_m > p_tolerance_m
$$;

-- Releases (not rejected) of live hazards with area outside their hazard: clipped off when they
-- were recorded (clipped_m2), or outside now because the hazard was edited afterwards.
CREATE OR REPLACE FUNCTION sg_quality_release_outside(p_iso3 text, p_min_m2 double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  WITH candidates AS MATERIALIZED (
    SELECT r.id, r.external_ref, r.geom, r.clipped_m2, h.id AS hazard_id, h.external_ref AS hazard_ref,
           CASE WHEN ST_CoveredBy(r.geom, h.geom) THEN 0
                ELSE sg_geodesic_area(sg_polygonal(ST_Difference(r.geom, h.geom))) END AS outside_now_m2
      FROM land_releases r JOIN hazards h ON h.id = r.hazard_id
     WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL AND r.status <> 'rejected'
  )
  SELECT 'release', c.id, c.external_ref,
         concat_ws('; ',
           CASE WHEN c.clipped_m2 >= p_min_m2 THEN sg_m2_text(c.clipped_m2) || ' drawn outside '
             || sg_quality_label('hazard', c.hazard_id, c.hazard_ref) || ' were clipped off' END,
           CASE WHEN c.outside_now_m2 >= p_min_m2 THEN sg_m2_text(c.outside_now_m2) || ' now lie outside '
             || sg_quality_label('hazard', c.hazard_id, c.hazard_ref) || ', which was edited after this release' END),
         c.clipped_m2 + c.outside_now_m2, sg_bbox_array(c.geom)
    FROM candidates c
   WHERE c.clipped_m2 >= p_min_m2 OR c.outside_now_m2 >= p_min_m2
$$;

-- Live hazards with an edge longer than p_max_edge_m (geodesic). A degree of arc is at most
-- ~111.7 km on the ground, so hazards whose bounding-box diagonal (and edges whose planar length)
-- in degrees times 112 km stays under the limit cannot have such an edge and are skipped unmeasured.
CREATE OR REPLACE FUNCTION sg_quality_vertex_gaps(p_iso3 text, p_max_edge_m double precision)
RETURNS TABLE (entity text, id bigint, reference text, detail text, area_m2 double precision, bbox double precision[])
LANGUAGE sql STABLE AS $$
  SELECT 'hazard', h.id, h.external_ref,
         'vertices ' || e.idx || ' and ' || e.idx + 1
           || CASE WHEN e.part > 1 OR e.ring > 1 OR ST_NumGeometries(h.geom) > 1 THEN ' of part ' || e.part || ', ring ' || e.ring ELSE '' END
           || ' are ' || round((e.length_m / 1000)::numeric, 1) || ' km apart (more than '
           || round((p_max_edge_m / 1000)::numeric, 1) || ' km)',
         h.area_m2, sg_bbox_array(h.geom)
    FROM hazards h
    CROSS JOIN LATERAL (
      SELECT s.path[1] AS part, s.path[2] AS ring, s.path[3] AS idx, ST_Length(s.geom::geography) AS length_m
        FROM ST_DumpSegments(h.geom) s
       WHERE ST_Length(s.geom) * 112000 > p_max_edge_m
       ORDER BY 4 DESC
       LIMIT 1
    ) e
   WHERE h.country_iso3 = p_iso3::char(3) AND h.deleted_at IS NULL
     AND ST_Length(ST_BoundingDiagonal(h.geom)) * 112000 > p_max_edge_m
     AND e.length_m > p_max_edge_m
$$;
