-- Boundaries cut into small pieces (ST_Subdivide), for the per-feature tests of bulk writes. A
-- country or province polygon has hundreds to thousands of vertices and is stored compressed:
-- every ST_CoveredBy against it decompresses and walks all of them, and a 100,000-hazard import
-- asks 200,000 times. Against pieces of at most 64 vertices, found through their own index, the
-- usual answer (the hazard lies inside one piece, hence inside the boundary) costs microseconds;
-- only hazards crossing a piece's edge are tested against the whole boundary as before.
-- Kept by triggers, so every geodata load (INSERT ... ON CONFLICT DO UPDATE) keeps them current.

CREATE TABLE country_pieces (
  iso3  char(3) NOT NULL REFERENCES countries (iso3) ON DELETE CASCADE,
  geom  geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX country_pieces_geom_idx ON country_pieces USING gist (geom);
CREATE INDEX country_pieces_iso3_idx ON country_pieces (iso3);

CREATE TABLE province_pieces (
  code          text NOT NULL REFERENCES provinces (code) ON DELETE CASCADE,
  country_iso3  char(3) NOT NULL,
  geom          geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX province_pieces_geom_idx ON province_pieces USING gist (geom);
CREATE INDEX province_pieces_code_idx ON province_pieces (code);

-- A geodata load rewrites every row; only changed boundaries are cut again. (The test is in the
-- body, not in a trigger WHEN clause: pg_restore creates triggers under an empty search_path, where
-- geometry = geometry does not resolve.)
CREATE FUNCTION sg_subdivide_country() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND ST_OrderingEquals(OLD.geom, NEW.geom) THEN
    RETURN NULL;
  END IF;
  DELETE FROM country_pieces WHERE iso3 = NEW.iso3;
  INSERT INTO country_pieces (iso3, geom)
  SELECT NEW.iso3, d.geom
    FROM ST_Subdivide(NEW.geom, 64) AS s(g), ST_Dump(s.g) AS d
   WHERE GeometryType(d.geom) = 'POLYGON';
  RETURN NULL;
END
$$;

CREATE FUNCTION sg_subdivide_province() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND ST_OrderingEquals(OLD.geom, NEW.geom) AND OLD.country_iso3 = NEW.country_iso3 THEN
    RETURN NULL;
  END IF;
  DELETE FROM province_pieces WHERE code = NEW.code;
  INSERT INTO province_pieces (code, country_iso3, geom)
  SELECT NEW.code, NEW.country_iso3, d.geom
    FROM ST_Subdivide(NEW.geom, 64) AS s(g), ST_Dump(s.g) AS d
   WHERE GeometryType(d.geom) = 'POLYGON';
  RETURN NULL;
END
$$;

CREATE TRIGGER countries_subdivide AFTER INSERT OR UPDATE OF geom ON countries
  FOR EACH ROW EXECUTE FUNCTION sg_subdivide_country();
CREATE TRIGGER provinces_subdivide AFTER INSERT OR UPDATE OF geom, country_iso3 ON provinces
  FOR EACH ROW EXECUTE FUNCTION sg_subdivide_province();

INSERT INTO country_pieces (iso3, geom)
SELECT c.iso3, d.geom FROM countries c, ST_Subdivide(c.geom, 64) AS s(g), ST_Dump(s.g) AS d
 WHERE GeometryType(d.geom) = 'POLYGON';
INSERT INTO province_pieces (code, country_iso3, geom)
SELECT p.code, p.country_iso3, d.geom FROM provinces p, ST_Subdivide(p.geom, 64) AS s(g), ST_Dump(s.g) AS d
 WHERE GeometryType(d.geom) = 'POLYGON';
