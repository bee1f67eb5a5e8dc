-- Small helpers shared by the geometry intake, the area engine and the tiles.

CREATE OR REPLACE FUNCTION sg_geodesic_area(g geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN 0 ELSE ST_Area(g::geography) END
$$;

-- Polygonal part of a geometry as a valid MultiPolygon (overlay results can carry slivers of
-- lines or points where boundaries touch).
CREATE OR REPLACE FUNCTION sg_polygonal(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN g IS NULL THEN NULL
    WHEN ST_IsValid(g) THEN ST_Multi(ST_CollectionExtract(g, 3))
    ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3))
  END
$$;

CREATE OR REPLACE FUNCTION sg_method_rank(m release_method) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- The order land is released in within a year: non-technical survey, technical survey, clearance.
  SELECT CASE m WHEN 'cancelled' THEN 1 WHEN 'reduced' THEN 2 ELSE 3 END
$$;
