-- Hazards and releases keep a web-mercator copy of their geometry, with its own index, for the
-- vector tiles: a tile is cut in web mercator, and reprojecting every feature of every tile was
-- a third of a tile's cost. The copy is a generated column, so no write path can forget it or
-- let it drift from the geometry it is made of.
ALTER TABLE hazards ADD COLUMN geom_3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX hazards_geom_3857_idx ON hazards USING gist (geom_3857);

ALTER TABLE land_releases ADD COLUMN geom_3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED;
CREATE INDEX land_releases_geom_3857_idx ON land_releases USING gist (geom_3857);
