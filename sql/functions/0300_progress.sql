-- How much of the nationally reported remaining area the polygon data covers, per country, at the
-- most recent year (on or before p_until_year) with a reported remaining figure.
CREATE OR REPLACE FUNCTION sg_polygon_coverage(p_until_year int)
RETURNS TABLE (country_iso3 text, year int, reported_km2 double precision, polygon_km2 double precision)
LANGUAGE sql STABLE AS $$
  WITH latest AS (
    SELECT DISTINCT ON (f.country_iso3) f.country_iso3, f.year
      FROM reported_figures f
     WHERE f.remaining_km2 IS NOT NULL AND f.year <= p_until_year
     ORDER BY f.country_iso3, f.year DESC
  ),
  per_type AS (
    SELECT l.country_iso3, l.year, f.contamination, max(f.remaining_km2) AS km2
      FROM latest l
      JOIN reported_figures f ON f.country_iso3 = l.country_iso3 AND f.year = l.year
     WHERE f.remaining_km2 IS NOT NULL
     GROUP BY l.country_iso3, l.year, f.contamination
  ),
  reported AS (
    SELECT p.country_iso3, p.year,
           coalesce(max(p.km2) FILTER (WHERE p.contamination = 'all'), sum(p.km2) FILTER (WHERE p.contamination <> 'all')) AS km2
      FROM per_type p
     GROUP BY p.country_iso3, p.year
  )
  SELECT r.country_iso3::text, r.year, r.km2::double precision,
         coalesce((SELECT sg_remaining_m2(t.found_m2, t.cancelled_m2, t.reduced_m2, t.cleared_m2)
                     FROM sg_country_totals(make_date(r.year, 12, 31)) t
                    WHERE t.country_iso3 = r.country_iso3 AND t.dim_kind = 'all' AND t.dim_key = ''), 0) / 1e6
    FROM reported r
$$;
