-- Hazard tiles below z10 show dissolved regions, not polygons (sql/functions/0410_tiles_ledger.sql).
-- Drawing a region from its hazards at request time read every hazard under the tile: a z4 tile
-- over a country of 100,000 hazards took a second or more. The regions are kept here instead, per
-- zoom 4-9, country, contamination and region (a 16th of a tile side), with their counts, sums
-- and finished shape, and maintained by the statement triggers below as hazards change
-- (sql/functions/0408_tile_regions.sql). Sums are numeric so that adding and removing hazards one
-- by one gives exactly what a rebuild gives.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE hazard_tile_regions (
  z             smallint NOT NULL CHECK (z BETWEEN 4 AND 9),
  country_iso3  char(3) NOT NULL,
  contamination text NOT NULL,
  rx            integer NOT NULL,
  ry            integer NOT NULL,
  -- The smallest id of its hazards: the feature id in tiles.
  fid           bigint NOT NULL,
  count         bigint NOT NULL CHECK (count > 0),
  area_m2       numeric NOT NULL,
  remaining_m2  numeric NOT NULL,
  -- Area of its CHA hazards: the region is CHA when they are at least half of it.
  cha_m2        numeric NOT NULL,
  -- The union of its hazards' blocks (their bounding boxes on a grid of 16 tile units).
  shape         geometry(Geometry, 3857) NOT NULL,
  PRIMARY KEY (z, country_iso3, contamination, rx, ry)
);
CREATE INDEX hazard_tile_regions_shape_idx ON hazard_tile_regions USING gist (z, shape);

-- A hazard's part in the region it belongs to at one zoom: the region of its bounding box's
-- lower left block, and the range of blocks the box touches.
CREATE TYPE tile_region_part AS (
  z smallint, country_iso3 char(3), contamination text, rx integer, ry integer, id bigint,
  area_m2 double precision, remaining_m2 double precision, cha_m2 double precision,
  bx0 integer, by0 integer, bx1 integer, by1 integer
);

-- Changes are applied once, at commit: an import writes its hazards in many statements, and
-- growing the same regions after each cost more than the writes themselves. The triggers note the
-- parts of the hazards that changed in a session table (a deleted hazard has none; an update that
-- leaves every column a region depends on as it was notes nothing), and the first note of a
-- transaction adds its row here, whose deferred trigger applies them (sg_tile_regions_flush).
-- Notes are rows, not arrays: a statement over a million hazards notes six million parts.
CREATE TABLE tile_regions_pending (xid xid8 PRIMARY KEY);
CREATE FUNCTION sg_tile_regions_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_tile_regions_flush();
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER tile_regions_pending_flush AFTER INSERT ON tile_regions_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sg_tile_regions_at_commit();

-- The transition tables are only visible inside the trigger functions, so each writes its notes
-- itself, numbered by sg_tile_regions_statement (which also creates the session's notes table).
CREATE FUNCTION sg_tile_regions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes
  SELECT v_statement, true, p FROM new_rows h, sg_tile_region_parts(
    4, 9, h.id, h.country_iso3, h.contamination[1]::text, h.classification::text, h.area_m2, h.remaining_m2,
    h.geom_3857::box2d, h.deleted_at IS NULL) p;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes
  SELECT v_statement, false, p FROM old_rows h, sg_tile_region_parts(
    4, 9, h.id, h.country_iso3, h.contamination[1]::text, h.classification::text, h.area_m2, h.remaining_m2,
    h.geom_3857::box2d, h.deleted_at IS NULL) p;
  RETURN NULL;
END
$$;
-- Dynamic SQL, so that the join is planned for this statement's row count: a plan kept from a
-- one-row update joined a million-row update's transition tables in a nested loop.
CREATE FUNCTION sg_tile_regions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  EXECUTE $sql$
    INSERT INTO tile_region_notes
    WITH changed AS (
      SELECT o.id, o.country_iso3 AS o_country, o.contamination[1]::text AS o_contamination,
             o.classification::text AS o_classification, o.area_m2 AS o_area, o.remaining_m2 AS o_remaining,
             o.geom_3857::box2d AS o_box, o.deleted_at IS NULL AS o_live,
             n.country_iso3 AS n_country, n.contamination[1]::text AS n_contamination,
             n.classification::text AS n_classification, n.area_m2 AS n_area, n.remaining_m2 AS n_remaining,
             n.geom_3857::box2d AS n_box, n.deleted_at IS NULL AS n_live
        FROM old_rows o JOIN new_rows n USING (id)
    ), relevant AS MATERIALIZED (
      SELECT * FROM changed
       WHERE (o_country, o_contamination, o_classification, o_area, o_remaining, o_box::text, o_live)
             IS DISTINCT FROM (n_country, n_contamination, n_classification, n_area, n_remaining, n_box::text, n_live)
    )
    SELECT $1, false, p FROM relevant c, sg_tile_region_parts(
      4, 9, c.id, c.o_country, c.o_contamination, c.o_classification, c.o_area, c.o_remaining, c.o_box, c.o_live) p
    UNION ALL
    SELECT $1, true, p FROM relevant c, sg_tile_region_parts(
      4, 9, c.id, c.n_country, c.n_contamination, c.n_classification, c.n_area, c.n_remaining, c.n_box, c.n_live) p
  $sql$ USING v_statement;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE hazard_tile_regions;
  RETURN NULL;
END
$$;

CREATE TRIGGER hazards_tile_regions_insert AFTER INSERT ON hazards
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_inserted();
CREATE TRIGGER hazards_tile_regions_update AFTER UPDATE ON hazards
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_updated();
CREATE TRIGGER hazards_tile_regions_delete AFTER DELETE ON hazards
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_deleted();
CREATE TRIGGER hazards_tile_regions_truncate AFTER TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_truncated();
