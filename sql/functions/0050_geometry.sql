-- Geometry intake: parse, repair, and check submitted polygons.

-- Makes a submitted Polygon/MultiPolygon a valid 2D MultiPolygon in EPSG:4326. An invalid input
-- is repaired with ST_MakeValid; the reason (ST_IsValidReason) and the change in geodesic area are
-- returned so the caller can report the repair or reject it. Imports hand the geometry over as
-- WKB; single writes as GeoJSON text (below).
CREATE OR REPLACE FUNCTION sg_prepare_input(p_input geometry)
RETURNS TABLE (geom geometry, area_m2 double precision, input_area_m2 double precision, invalid_reason text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_input geometry := ST_Force2D(ST_SetSRID(p_input, 4326));
BEGIN
  IF ST_IsValid(v_input) THEN
    geom := ST_Multi(v_input);
    invalid_reason := NULL;
  ELSE
    invalid_reason := ST_IsValidReason(v_input);
    geom := ST_Multi(ST_CollectionExtract(ST_MakeValid(v_input), 3));
  END IF;
  area_m2 := sg_geodesic_area(geom);
  -- Ring areas of an invalid input are what the submitter drew (a figure-8 cancels itself out).
  input_area_m2 := abs(ST_Area(v_input::geography));
  RETURN NEXT;
END
$$;

-- The same for a GeoJSON geometry.
CREATE OR REPLACE FUNCTION sg_prepare_geometry(p_geojson text)
RETURNS TABLE (geom geometry, area_m2 double precision, input_area_m2 double precision, invalid_reason text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT * FROM sg_prepare_input(ST_GeomFromGeoJSON(p_geojson))
$$;

-- The first step of every geometry check, single writes and imports alike: sg_prepare_geometry
-- (GeoJSON) or sg_prepare_input (when the reader already encoded the geometry as (E)WKB), except
-- that an input PostGIS cannot read or measure comes back as read_error instead of raising. An
-- edge between antipodal points is one: it has no unique great circle, so the geodesic area
-- cannot be computed. The caller rejects such a geometry with read_error as the reason.
CREATE OR REPLACE FUNCTION sg_read_geometry(p_geojson text, p_wkb bytea)
RETURNS TABLE (geom geometry, area_m2 double precision, input_area_m2 double precision, invalid_reason text, read_error text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  BEGIN
    IF p_wkb IS NULL THEN
      SELECT p.geom, p.area_m2, p.input_area_m2, p.invalid_reason INTO geom, area_m2, input_area_m2, invalid_reason
        FROM sg_prepare_geometry(p_geojson) p;
    ELSE
      SELECT p.geom, p.area_m2, p.input_area_m2, p.invalid_reason INTO geom, area_m2, input_area_m2, invalid_reason
        FROM sg_prepare_input(ST_GeomFromEWKB(p_wkb)) p;
    END IF;
  EXCEPTION WHEN others THEN
    read_error := 'geometry could not be read: ' || SQLERRM;
  END;
  RETURN NEXT;
END
$$;

-- How much of a geometry lies outside a country, and how far its farthest outside vertex is from
-- the boundary (metres). Natural Earth boundaries are generalised, so callers allow a tolerance.
CREATE OR REPLACE FUNCTION sg_outside_country(p_geom geometry, p_iso3 text)
RETURNS TABLE (outside_m2 double precision, max_distance_m double precision)
LANGUAGE sql STABLE AS $$
  WITH c AS (SELECT geom FROM countries WHERE iso3 = p_iso3),
  outside AS (
    -- Inside one piece of the country (0007_subdivided_boundaries.sql) is inside the country,
    -- and cheap; only a geometry crossing a piece's edge is tested against the whole boundary.
    SELECT CASE WHEN EXISTS (SELECT 1 FROM country_pieces cp
                              WHERE cp.iso3 = p_iso3 AND cp.geom ~ p_geom AND ST_CoveredBy(p_geom, cp.geom))
                  OR ST_CoveredBy(p_geom, c.geom) THEN NULL
                ELSE sg_polygonal(ST_Difference(p_geom, c.geom)) END AS g,
           c.geom AS country
      FROM c
  )
  SELECT coalesce(sg_geodesic_area(o.g), 0),
         coalesce((SELECT max(ST_Distance(d.geom::geography, o.country::geography))
                     FROM ST_DumpPoints(o.g) AS d), 0)
    FROM outside o
$$;

-- The one rule for accepting a submitted polygon, shared by single writes
-- (server/src/geometry/geometry.service.ts) and import staging (sg_import_stage): outcome 'ok',
-- 'repaired' or 'rejected', the reason, and warnings. sg_read_geometry reads and repairs it; one it
-- cannot read is rejected, and so is a repair that leaves nothing or changes the area by more than
-- p_max_change, and a polygon reaching farther than p_tolerance_m outside country p_iso3 (or a
-- country that does not exist). p_iso3 NULL skips the country test: a release is clipped to its
-- hazard instead. Never raises. The geometry comes as GeoJSON text or, when the caller already
-- holds it encoded, as (E)WKB. The reason of an accepted polygon is its warnings joined.
CREATE OR REPLACE FUNCTION sg_check_geometry(p_geojson text, p_wkb bytea, p_iso3 text, p_max_change double precision,
                                             p_tolerance_m double precision)
RETURNS TABLE (geom geometry, area_m2 double precision, outcome text, reason text, warnings text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
  p record;
  o record;
  v_change double precision;
  v_pct text;
BEGIN
  warnings := '{}';
  outcome := 'rejected';
  SELECT * INTO p FROM sg_read_geometry(p_geojson, p_wkb);
  IF p.read_error IS NOT NULL THEN
    reason := p.read_error;
    RETURN NEXT;
    RETURN;
  END IF;
  IF p.area_m2 <= 0 THEN
    reason := CASE WHEN p.invalid_reason IS NULL THEN 'has no area'
                   ELSE 'invalid (' || p.invalid_reason || ') and repair leaves no area' END;
    RETURN NEXT;
    RETURN;
  END IF;
  IF p.invalid_reason IS NOT NULL THEN
    v_change := abs(p.area_m2 - p.input_area_m2) / greatest(p.input_area_m2, 1e-300);
    -- A figure-8 drawn as one ring encloses (almost) nothing net: any change is then unbounded.
    v_pct := CASE WHEN v_change < 1e6 THEN round((v_change * 100)::numeric, 2) || '%' ELSE 'more than 100000000%' END;
    IF v_change > p_max_change THEN
      reason := 'invalid (' || p.invalid_reason || '); repairing it would change its area by ' || v_pct || ', more than '
                || to_char(p_max_change * 100, 'FM990.00') || '%';
      RETURN NEXT;
      RETURN;
    END IF;
    warnings := array['geometry repaired: ' || p.invalid_reason || '; area changed by ' || v_pct];
  END IF;
  IF p_iso3 IS NOT NULL THEN
    SELECT * INTO o FROM sg_outside_country(p.geom, p_iso3);
    IF NOT FOUND THEN
      reason := 'unknown country ' || p_iso3;
      RETURN NEXT;
      RETURN;
    END IF;
    IF o.max_distance_m > p_tolerance_m THEN
      reason := 'lies outside ' || p_iso3 || ': ' || round(o.outside_m2) || ' m² up to ' || round(o.max_distance_m)
                || ' m beyond the boundary (tolerance ' || round(p_tolerance_m) || ' m)';
      RETURN NEXT;
      RETURN;
    END IF;
    IF o.outside_m2 > 0 THEN
      warnings := warnings || (round(o.outside_m2) || ' m² lie just outside the ' || p_iso3 || ' boundary (within the '
                               || round(p_tolerance_m) || ' m tolerance)');
    END IF;
  END IF;
  geom := p.geom;
  area_m2 := p.area_m2;
  outcome := CASE WHEN p.invalid_reason IS NULL THEN 'ok' ELSE 'repaired' END;
  reason := nullif(array_to_string(warnings, '; '), '');
  RETURN NEXT;
END
$$;

-- A release clipped to its hazard: the part inside, its area and the area of the part outside.
CREATE OR REPLACE FUNCTION sg_clip_to_hazard(p_geom geometry, p_hazard_id bigint)
RETURNS TABLE (geom geometry, area_m2 double precision, clipped_m2 double precision)
LANGUAGE sql STABLE AS $$
  WITH h AS (SELECT geom FROM hazards WHERE id = p_hazard_id),
  parts AS (
    SELECT CASE WHEN ST_CoveredBy(p_geom, h.geom) THEN p_geom
                ELSE sg_polygonal(ST_Intersection(p_geom, h.geom)) END AS inside,
           CASE WHEN ST_CoveredBy(p_geom, h.geom) THEN NULL
                ELSE sg_polygonal(ST_Difference(p_geom, h.geom)) END AS outside
      FROM h
  )
  SELECT inside, sg_geodesic_area(inside), sg_geodesic_area(outside) FROM parts
$$;

-- Area of a release that overlaps other approved releases of the same hazard (released twice).
CREATE OR REPLACE FUNCTION sg_overlap_with_releases(p_geom geometry, p_hazard_id bigint, p_except bigint)
RETURNS double precision
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sg_geodesic_area(sg_polygonal(ST_Intersection(p_geom, ST_Union(r.geom)))), 0)
    FROM land_releases r
   WHERE r.hazard_id = p_hazard_id AND r.status = 'approved' AND r.id IS DISTINCT FROM p_except
     AND r.geom && p_geom
$$;
