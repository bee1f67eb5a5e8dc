-- Sensitive locations: a country may restrict its exact hazard and release polygons.
-- Readers outside its circle (anonymous, viewer, donor) then get the polygons generalised to
-- equal-area grid cells of restriction_cell_km (sql/functions/0600_restrictions.sql); national
-- figures stay exact. An UPDATE of countries already notifies sg_data_changed (0003_tiles.sql),
-- so cached tiles are dropped the moment a restriction changes.
ALTER TABLE countries
  ADD COLUMN restricted boolean NOT NULL DEFAULT false,
  ADD COLUMN restriction_cell_km double precision NOT NULL DEFAULT 10
    CHECK (restriction_cell_km >= 1 AND restriction_cell_km <= 100);

-- The hazard and release tile functions gain the reader's exact-geometry scope; the old
-- signatures would otherwise linger beside the new ones as overloads nobody calls.
DROP FUNCTION IF EXISTS sg_tile_hazards(int, int, int, date);
DROP FUNCTION IF EXISTS sg_tile_releases(int, int, int, date);
