-- The area engine also keeps how many live hazards each cluster, and so each country, gained on
-- each day (their recorded day), and how many of them are synthetic demo data. The public figures
-- then read hazard counts from the same summary rows as the areas, instead of counting the whole
-- hazards table on every request. Only the 'all' dimension carries them; every other row has 0.
ALTER TABLE area_cluster_days
  ADD COLUMN hazards integer NOT NULL DEFAULT 0,
  ADD COLUMN synthetic_hazards integer NOT NULL DEFAULT 0;
ALTER TABLE area_country_days
  ADD COLUMN hazards integer NOT NULL DEFAULT 0,
  ADD COLUMN synthetic_hazards integer NOT NULL DEFAULT 0;

-- Their result rows gain the two columns, which CREATE OR REPLACE cannot do: sql/functions
-- creates them again right after the migrations.
DROP FUNCTION IF EXISTS sg_cluster_days(bigint[]);
DROP FUNCTION IF EXISTS sg_cluster_days_sql(bigint[]);
DROP FUNCTION IF EXISTS sg_single_hazard_days(bigint[]);

-- The counts of the data already there. A hazard recorded on a day where it added no area (inside
-- an older overlapping hazard) has no summary row yet: it gets one with zero areas.
INSERT INTO area_cluster_days AS t (cluster_id, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards)
SELECT cluster_id, recorded_on, 'all', '', 0, 0, 0, 0, count(*), count(*) FILTER (WHERE synthetic)
  FROM hazards
 WHERE deleted_at IS NULL AND cluster_id IS NOT NULL
 GROUP BY cluster_id, recorded_on
ON CONFLICT (cluster_id, day, dim_kind, dim_key) DO UPDATE
   SET hazards = excluded.hazards, synthetic_hazards = excluded.synthetic_hazards;

INSERT INTO area_country_days AS t (country_iso3, day, dim_kind, dim_key, found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards)
SELECT country_iso3, recorded_on, 'all', '', 0, 0, 0, 0, count(*), count(*) FILTER (WHERE synthetic)
  FROM hazards
 WHERE deleted_at IS NULL AND cluster_id IS NOT NULL
 GROUP BY country_iso3, recorded_on
ON CONFLICT (country_iso3, dim_kind, dim_key, day) DO UPDATE
   SET hazards = excluded.hazards, synthetic_hazards = excluded.synthetic_hazards;

-- The public figures sum one dimension of every country at once (the 'all' totals and hazard
-- counts of the country list, the treaty contamination types of /progress), over every day up to
-- the as-of day. The primary key leads with the country, so that read scanned the whole table;
-- this index answers it alone (an index-only scan of about 60 pages instead of 1,000 at 100,000
-- hazards). Carrying the sums costs the engine's updates their HOT path: one more index entry
-- per summary row a write changes, a few dozen per write.
CREATE INDEX area_country_days_dimension_idx ON area_country_days (dim_kind, dim_key, country_iso3, day)
  INCLUDE (found_m2, cancelled_m2, reduced_m2, cleared_m2, hazards, synthetic_hazards);
