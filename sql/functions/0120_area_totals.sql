-- A country's balances per calendar year up to the end of a day: the kept yearly rows of the
-- years before that day's, and that year's daily rows up to the day. Every figure read "as of a
-- day" (country totals, timelines, coverage) goes through here, so the rule that a balance counts
-- from the end of its day lives in one place. A SQL function of one query, so PostgreSQL inlines
-- it and pushes a caller's country and dimension conditions down to both tables' keys.
CREATE OR REPLACE FUNCTION sg_country_years(p_as_of date)
RETURNS TABLE (country_iso3 char(3), dim_kind text, dim_key text, year integer,
               found_m2 double precision, cancelled_m2 double precision, reduced_m2 double precision,
               cleared_m2 double precision, hazards bigint, synthetic_hazards bigint)
LANGUAGE sql STABLE AS $$
  SELECT y.country_iso3, y.dim_kind, y.dim_key, y.year,
         y.found_m2, y.cancelled_m2, y.reduced_m2, y.cleared_m2, y.hazards::bigint, y.synthetic_hazards::bigint
    FROM area_country_years y
   WHERE y.year < extract(year FROM p_as_of)::integer
  UNION ALL
  SELECT d.country_iso3, d.dim_kind, d.dim_key, extract(year FROM p_as_of)::integer,
         sum(d.found_m2), sum(d.cancelled_m2), sum(d.reduced_m2), sum(d.cleared_m2), sum(d.hazards), sum(d.synthetic_hazards)
    FROM area_country_days d
   WHERE d.day >= date_trunc('year', p_as_of)::date AND d.day <= p_as_of
   GROUP BY d.country_iso3, d.dim_kind, d.dim_key
$$;

-- Each dimension's balance summed up to the end of a day.
CREATE OR REPLACE FUNCTION sg_country_totals(p_as_of date)
RETURNS TABLE (country_iso3 char(3), dim_kind text, dim_key text,
               found_m2 double precision, cancelled_m2 double precision, reduced_m2 double precision,
               cleared_m2 double precision, hazards bigint, synthetic_hazards bigint)
LANGUAGE sql STABLE AS $$
  SELECT t.country_iso3, t.dim_kind, t.dim_key,
         sum(t.found_m2), sum(t.cancelled_m2), sum(t.reduced_m2), sum(t.cleared_m2),
         sum(t.hazards)::bigint, sum(t.synthetic_hazards)::bigint
    FROM sg_country_years(p_as_of) t
   GROUP BY t.country_iso3, t.dim_kind, t.dim_key
$$;
