-- Vector tiles.
--
-- 1. Every committed change to data a tile shows is announced on the channel sg_data_changed, so
--    that every server process drops its cached tiles, whichever process (API, CLI import, psql)
--    made the change. Statement-level triggers: one notification per statement at most, and
--    PostgreSQL folds identical notifications of one transaction into one, delivered at commit.
CREATE OR REPLACE FUNCTION sg_notify_data_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sg_data_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER hazards_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER land_releases_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON land_releases
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER obligations_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligations
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER obligation_extensions_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligation_extensions
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER reported_figures_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reported_figures
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER countries_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON countries
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
CREATE TRIGGER provinces_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON provinces
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();

-- 2. Country label placement, computed once per boundary instead of in every tile request: a
--    point inside the largest part (so France's label is in Europe, not French Guiana) and the
--    land area that ranks labels. Generated columns follow every geodata reload by themselves.
CREATE OR REPLACE FUNCTION sg_label_point(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_PointOnSurface(d.geom)
    FROM ST_Dump(g) AS d
   ORDER BY ST_Area(d.geom) DESC
   LIMIT 1
$$;

ALTER TABLE countries
  ADD COLUMN label_point geometry(Point, 4326) GENERATED ALWAYS AS (sg_label_point(geom)) STORED,
  ADD COLUMN area_km2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography) / 1e6) STORED;
CREATE INDEX countries_label_point_idx ON countries USING gist (label_point);
