-- Treaty reports (Article 7 transparency reports, extension-request annexes).

-- The contaminated areas of one country and contamination type at the end of a day, as listed in
-- CCM Form F / APMBC Form C: every live hazard carrying the type and recorded on or before p_until,
-- with its remaining area as of p_until (its geometry minus the union of its own approved releases
-- completed on or before p_until: the engine's rule, evaluated for that day rather than today),
-- located by its point on surface and the province containing that point.
--
-- Hazards whose remaining area rounds to zero square metres are left out: the report shows areas
-- to the square metre, and a fully released hazard can keep a sliver of floating-point noise.
-- These sizes are per hazard; overlapping hazards share ground, so they do not add up to the
-- country's remaining area (the union), which the report takes from area_country_days.
-- The province of a country containing a point. A point on a shared boundary lies in two
-- provinces: take one, deterministically.
CREATE OR REPLACE FUNCTION sg_province_at(p_iso3 text, p_point geometry)
RETURNS TABLE (code text, name text)
LANGUAGE sql STABLE AS $$
  SELECT pr.code, pr.name
    FROM provinces pr
   WHERE pr.country_iso3 = p_iso3 AND pr.geom && p_point AND ST_Covers(pr.geom, p_point)
   ORDER BY pr.code
   LIMIT 1
$$;

CREATE OR REPLACE FUNCTION sg_report_hazards(p_iso3 text, p_contamination contamination_type, p_until date)
RETURNS TABLE (id bigint, external_ref text, name text, classification hazard_classification,
               contamination text[], recorded_on date, area_m2 double precision,
               remaining_m2 double precision, lng double precision, lat double precision,
               province_code text, province_name text)
LANGUAGE sql STABLE AS $$
  WITH scoped AS (
    SELECT h.id, h.external_ref, h.name, h.classification, h.contamination, h.recorded_on,
           h.geom, h.area_m2
      FROM hazards h
     WHERE h.country_iso3 = p_iso3
       AND h.deleted_at IS NULL
       AND h.recorded_on <= p_until
       AND p_contamination = ANY (h.contamination)
  ),
  measured AS (
    SELECT s.*, r.m2 AS remaining_m2, ST_PointOnSurface(s.geom) AS point
      FROM scoped s
      CROSS JOIN LATERAL sg_hazard_remaining_as_of(s.id, p_until) r
  )
  SELECT m.id, m.external_ref, m.name, m.classification, m.contamination::text[], m.recorded_on,
         m.area_m2, m.remaining_m2, ST_X(m.point), ST_Y(m.point), p.code, p.name
    FROM measured m
    LEFT JOIN LATERAL sg_province_at(p_iso3, m.point) p ON true
   WHERE m.remaining_m2 >= 0.5
   ORDER BY p.name NULLS LAST, m.id
$$;
