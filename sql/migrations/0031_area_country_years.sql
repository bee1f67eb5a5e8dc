-- Country figures sum a country's daily balances up to a day. At a million hazards a country has
-- about 100,000 daily rows (16 years of days times 80 dimensions), and summing them took most of
-- a figures request. The same balances summed per calendar year are kept here, so that a total
-- up to a day reads the whole years before it here and only that year's days
-- (sg_country_years, sql/functions/0120_area_totals.sql).
--
-- The yearly rows follow the daily ones through statement triggers: whatever writes the daily
-- rows (the engine's incremental writes, the full recompute, a repair by hand) keeps the years
-- right without knowing of them.
CREATE TABLE area_country_years (
  country_iso3      char(3) NOT NULL,
  dim_kind          text NOT NULL,
  dim_key           text NOT NULL,
  year              integer NOT NULL,
  found_m2          double precision NOT NULL,
  cancelled_m2      double precision NOT NULL,
  reduced_m2        double precision NOT NULL,
  cleared_m2        double precision NOT NULL,
  hazards           integer NOT NULL,
  synthetic_hazards integer NOT NULL,
  PRIMARY KEY (country_iso3, dim_kind, dim_key, year)
);

-- No write may change the daily rows between this copy and the triggers below.
LOCK TABLE area_country_days IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO area_country_years
SELECT country_iso3, dim_kind, dim_key, extract(year FROM day)::integer,
       sum(found_m2), sum(cancelled_m2), sum(reduced_m2), sum(cleared_m2), sum(hazards), sum(synthetic_hazards)
  FROM area_country_days
 GROUP BY country_iso3, dim_kind, dim_key, extract(year FROM day);

-- The days of the as-of day's year, of one country or of all: neither existing index leads with
-- the day within a country.
CREATE INDEX area_country_days_country_day_idx ON area_country_days (country_iso3, day);

-- Adds the statement's new daily rows and subtracts its old ones. A transition table exists only
-- for the events that have it, so the statement names them by text; planned per statement, it
-- also suits a one-row write and a recompute's million rows alike.
CREATE FUNCTION sg_area_country_years_follow() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  v_columns constant text := 'country_iso3, dim_kind, dim_key, day, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards';
  v_changed text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE area_country_years;
    RETURN NULL;
  END IF;
  v_changed := concat_ws(' UNION ALL ',
    CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN format('SELECT 1, %s FROM new_rows', v_columns) END,
    CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN format('SELECT -1, %s FROM old_rows', v_columns) END);
  EXECUTE format($q$
    INSERT INTO area_country_years AS t
    SELECT country_iso3, dim_kind, dim_key, extract(year FROM day)::integer,
           sum(sign * found_m2), sum(sign * cancelled_m2), sum(sign * reduced_m2), sum(sign * cleared_m2),
           sum(sign * hazards), sum(sign * synthetic_hazards)
      FROM (%s) AS changed (sign, %s)
     GROUP BY country_iso3, dim_kind, dim_key, extract(year FROM day)
    ON CONFLICT (country_iso3, dim_kind, dim_key, year) DO UPDATE
       SET found_m2 = t.found_m2 + excluded.found_m2,
           cancelled_m2 = t.cancelled_m2 + excluded.cancelled_m2,
           reduced_m2 = t.reduced_m2 + excluded.reduced_m2,
           cleared_m2 = t.cleared_m2 + excluded.cleared_m2,
           hazards = t.hazards + excluded.hazards,
           synthetic_hazards = t.synthetic_hazards + excluded.synthetic_hazards
  $q$, v_changed, v_columns);
  RETURN NULL;
END
$fn$;

CREATE TRIGGER area_country_days_years_insert AFTER INSERT ON area_country_days
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_area_country_years_follow();
CREATE TRIGGER area_country_days_years_update AFTER UPDATE ON area_country_days
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_area_country_years_follow();
CREATE TRIGGER area_country_days_years_delete AFTER DELETE ON area_country_days
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_area_country_years_follow();
CREATE TRIGGER area_country_days_years_truncate AFTER TRUNCATE ON area_country_days
  FOR EACH STATEMENT EXECUTE FUNCTION sg_area_country_years_follow();
