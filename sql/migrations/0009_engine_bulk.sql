-- What the area engine's bulk path (sql/functions/0110_area_single_hazard.sql) needs so that
-- refreshing a 100,000-hazard import neither rewrites every new hazard nor checks every summary
-- row against its parent.

-- A new hazard starts as its own cluster: an id drawn at insert time, with no area_clusters row
-- yet (that row, and the summaries, come with the refresh in the same transaction). Most imported
-- hazards overlap nothing and keep that id, so the refresh does not rewrite them: updating
-- cluster_id is a new tuple plus an entry in every index of hazards, three seconds for 100,000.
ALTER TABLE hazards ALTER COLUMN cluster_id SET DEFAULT nextval('area_cluster_ids');

-- The summary tables are written only by the engine, from hazards whose country is checked by
-- their own foreign key, and cluster rows are deleted explicitly with their cluster (no cascade
-- needed). Per-row foreign-key checks on 100,000 clusters and 300,000 cluster-days cost more
-- than computing them.
ALTER TABLE area_cluster_days DROP CONSTRAINT area_cluster_days_cluster_id_fkey;
ALTER TABLE area_clusters DROP CONSTRAINT area_clusters_country_iso3_fkey;
ALTER TABLE area_country_days DROP CONSTRAINT area_country_days_country_iso3_fkey;

COMMENT ON COLUMN hazards.area_m2 IS
  'sg_geodesic_area(geom), exactly: every writer measures it so, and the area engine relies on it instead of measuring geom again';
