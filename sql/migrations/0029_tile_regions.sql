-- Tiles below z10 show dissolved regions, not hazards and releases one by one
-- (sql/functions/0410_tiles_ledger.sql). Drawing a region at request time read every hazard or
-- release under the tile: a z4 tile over a country of 100,000 hazards took a second or more. The
-- regions are kept here instead, per layer, zoom 4-9, country, kind (a hazard's first
-- contamination type, a release's method), year (a release's; 0 for hazards) and region, with
-- their counts, sums and finished shape, maintained by the statement triggers below as the ledger
-- changes (sql/functions/0408_tile_regions.sql). Sums are numeric so that adding and removing
-- members one by one gives exactly what a rebuild gives.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE tile_regions (
  layer         text NOT NULL CHECK (layer IN ('hazards', 'releases')),
  z             smallint NOT NULL CHECK (z BETWEEN 4 AND 9),
  country_iso3  char(3) NOT NULL,
  kind          text NOT NULL,
  year          smallint NOT NULL,
  rx            integer NOT NULL,
  ry            integer NOT NULL,
  -- The smallest id of its members: the feature id in tiles.
  fid           bigint NOT NULL,
  count         bigint NOT NULL CHECK (count > 0),
  area_m2       numeric NOT NULL,
  -- Hazards only (0 for releases): what remains of them, and the area of the CHA ones (the
  -- region is CHA when they are at least half of it).
  remaining_m2  numeric NOT NULL,
  cha_m2        numeric NOT NULL,
  -- The union of its members' blocks (their bounding boxes on the layer's grid).
  shape         geometry(Geometry, 3857) NOT NULL,
  PRIMARY KEY (layer, z, country_iso3, kind, year, rx, ry)
);
-- One index per layer: a text column in the index itself (btree_gist) made a million-hazard load
-- spend most of its commit choosing index pages.
CREATE INDEX tile_regions_hazards_shape_idx ON tile_regions USING gist (z, shape) WHERE layer = 'hazards';
CREATE INDEX tile_regions_releases_shape_idx ON tile_regions USING gist (z, shape) WHERE layer = 'releases';

-- A member's part in the region it belongs to at one zoom: the region of its bounding box's lower
-- left block, and the range of blocks the box touches.
CREATE TYPE tile_region_part AS (
  layer text, z smallint, country_iso3 char(3), kind text, year smallint, rx integer, ry integer, id bigint,
  area_m2 double precision, remaining_m2 double precision, cha_m2 double precision,
  bx0 integer, by0 integer, bx1 integer, by1 integer
);

-- Changes are applied once, at commit: an import writes its hazards in many statements, and
-- growing the same regions after each cost more than the writes themselves. The triggers note the
-- parts of the members that changed in a session table (a deleted hazard, and a release that is
-- not approved or whose hazard is deleted, have none; an update that leaves every column a region
-- depends on as it was notes nothing), and the first note of a transaction adds its row here,
-- whose deferred trigger applies them (sg_tile_regions_flush). Notes are rows, not arrays: a
-- statement over a million hazards notes six million parts.
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
-- Updates use dynamic SQL, so that their join is planned for the statement's row count: a plan
-- kept from a one-row update joined a million-row update's transition tables in a nested loop.
CREATE FUNCTION sg_tile_regions_hazards_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes SELECT v_statement, true, p FROM new_rows h, sg_hazard_region_parts(h) p;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_hazards_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes SELECT v_statement, false, p FROM old_rows h, sg_hazard_region_parts(h) p;
  RETURN NULL;
END
$$;
-- A hazard that is deleted, restored or moves to another country takes its releases with it.
CREATE FUNCTION sg_tile_regions_hazards_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  EXECUTE $sql$
    INSERT INTO tile_region_notes
    WITH changed AS MATERIALIZED (
      SELECT id, (o.country_iso3, o.deleted_at IS NULL) IS DISTINCT FROM (n.country_iso3, n.deleted_at IS NULL) AS moved
        FROM old_rows o JOIN new_rows n USING (id)
       WHERE (o.country_iso3, o.contamination[1], o.classification, o.area_m2, o.remaining_m2,
              o.geom_3857::box2d::text, o.deleted_at IS NULL)
             IS DISTINCT FROM (n.country_iso3, n.contamination[1], n.classification, n.area_m2,
                               n.remaining_m2, n.geom_3857::box2d::text, n.deleted_at IS NULL)
    )
    SELECT $1, false, p FROM old_rows o JOIN changed c USING (id), sg_hazard_region_parts(o) p
    UNION ALL
    SELECT $1, true, p FROM new_rows n JOIN changed c USING (id), sg_hazard_region_parts(n) p
    UNION ALL
    SELECT $1, false, p FROM old_rows o JOIN changed c ON c.id = o.id AND c.moved JOIN land_releases l ON l.hazard_id = o.id,
           sg_release_region_parts(l, o.country_iso3, o.deleted_at IS NULL) p
    UNION ALL
    SELECT $1, true, p FROM new_rows n JOIN changed c ON c.id = n.id AND c.moved JOIN land_releases l ON l.hazard_id = n.id,
           sg_release_region_parts(l, n.country_iso3, n.deleted_at IS NULL) p
  $sql$ USING v_statement;
  RETURN NULL;
END
$$;
-- A release's country and liveness are its hazard's, as it is now.
CREATE FUNCTION sg_tile_regions_releases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes
  SELECT v_statement, true, p FROM new_rows l JOIN hazards h ON h.id = l.hazard_id,
         sg_release_region_parts(l, h.country_iso3, h.deleted_at IS NULL) p;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_releases_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  INSERT INTO tile_region_notes
  SELECT v_statement, false, p FROM old_rows l JOIN hazards h ON h.id = l.hazard_id,
         sg_release_region_parts(l, h.country_iso3, h.deleted_at IS NULL) p;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_releases_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_statement integer := sg_tile_regions_statement();
BEGIN
  EXECUTE $sql$
    INSERT INTO tile_region_notes
    WITH changed AS MATERIALIZED (
      SELECT id FROM old_rows o JOIN new_rows n USING (id)
       WHERE (o.hazard_id, o.method, extract(year FROM o.completed_on), o.area_m2, o.status = 'approved',
              o.geom_3857::box2d::text)
             IS DISTINCT FROM (n.hazard_id, n.method, extract(year FROM n.completed_on), n.area_m2,
                               n.status = 'approved', n.geom_3857::box2d::text)
    )
    SELECT $1, false, p FROM old_rows o JOIN changed c USING (id) JOIN hazards h ON h.id = o.hazard_id,
           sg_release_region_parts(o, h.country_iso3, h.deleted_at IS NULL) p
    UNION ALL
    SELECT $1, true, p FROM new_rows n JOIN changed c USING (id) JOIN hazards h ON h.id = n.hazard_id,
           sg_release_region_parts(n, h.country_iso3, h.deleted_at IS NULL) p
  $sql$ USING v_statement;
  RETURN NULL;
END
$$;
CREATE FUNCTION sg_tile_regions_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tile_regions WHERE layer = TG_ARGV[0];
  RETURN NULL;
END
$$;

CREATE TRIGGER hazards_tile_regions_insert AFTER INSERT ON hazards
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_hazards_inserted();
CREATE TRIGGER hazards_tile_regions_update AFTER UPDATE ON hazards
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_hazards_updated();
CREATE TRIGGER hazards_tile_regions_delete AFTER DELETE ON hazards
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_hazards_deleted();
CREATE TRIGGER hazards_tile_regions_truncate AFTER TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_truncated('hazards');
CREATE TRIGGER land_releases_tile_regions_insert AFTER INSERT ON land_releases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_releases_inserted();
CREATE TRIGGER land_releases_tile_regions_update AFTER UPDATE ON land_releases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_releases_updated();
CREATE TRIGGER land_releases_tile_regions_delete AFTER DELETE ON land_releases
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_releases_deleted();
CREATE TRIGGER land_releases_tile_regions_truncate AFTER TRUNCATE ON land_releases
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tile_regions_truncated('releases');
