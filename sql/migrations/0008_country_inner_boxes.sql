-- Rectangles lying wholly inside a country, for the country check of bulk imports. Most imported
-- hazards lie well inside their country, and a hazard whose bounding box fits in one of these
-- boxes is inside the country: an index probe and four comparisons instead of a ST_CoveredBy (a
-- GEOS call costing more than everything else staging a feature does). The boxes are the cells
-- of a quadtree, 1 degree down to 1/64 degree, exact in binary, each tested once with
-- ST_CoveredBy against the whole boundary. Filled per country on its first import
-- (sg_country_inner_boxes in 0400_imports.sql) and forgotten when its boundary changes.
CREATE TABLE country_inner_boxes (
  iso3   char(3) NOT NULL REFERENCES countries (iso3) ON DELETE CASCADE,
  -- The box as a polygon (for the index) and its exact bounds (the index compares float4 boxes).
  geom   geometry(Polygon, 4326) NOT NULL,
  west   double precision NOT NULL,
  south  double precision NOT NULL,
  east   double precision NOT NULL,
  north  double precision NOT NULL
);
CREATE INDEX country_inner_boxes_geom_idx ON country_inner_boxes USING gist (geom);

-- Countries whose boxes are computed (a country may have none: too small or too thin).
CREATE TABLE country_inner_boxes_done (
  iso3  char(3) PRIMARY KEY REFERENCES countries (iso3) ON DELETE CASCADE
);

-- (The test is in the body, not a WHEN clause: see 0007_subdivided_boundaries.sql.)
CREATE FUNCTION sg_forget_inner_boxes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND ST_OrderingEquals(OLD.geom, NEW.geom) THEN
    RETURN NULL;
  END IF;
  DELETE FROM country_inner_boxes WHERE iso3 = NEW.iso3;
  DELETE FROM country_inner_boxes_done WHERE iso3 = NEW.iso3;
  RETURN NULL;
END
$$;

CREATE TRIGGER countries_forget_inner_boxes AFTER UPDATE OF geom ON countries
  FOR EACH ROW EXECUTE FUNCTION sg_forget_inner_boxes();
