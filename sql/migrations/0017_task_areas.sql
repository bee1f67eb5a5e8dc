-- Who works where, stored: the coalition page's task areas per operator and province, kept current
-- by every task write (sql/functions/0725_task_areas.sql) instead of dissolving every task of a
-- country on each request.
--
-- A piece is one polygon of a counted task (neither rejected nor cancelled) inside one province of
-- its country, or outside every province (province_code NULL). Pieces of one operator in one
-- province (or outside) that intersect, directly or through others, form a component, whose union
-- area is stored. A write re-dissolves only the components its old and new pieces touch. Pieces are
-- single polygons, not a task's whole multipolygon: a task's polygons can lie kilometres apart, and
-- the boxes of whole tasks overlapped hundreds of others, so finding a piece's neighbours through
-- the spatial index tested nearly every piece of the operator.

CREATE SEQUENCE task_area_component_ids;

CREATE TABLE task_area_components (
  id              bigint PRIMARY KEY,
  country_iso3    char(3) NOT NULL,
  organisation_id bigint NOT NULL,
  province_code   text,
  -- Geodesic area of the union of the component's pieces.
  area_m2         double precision NOT NULL
);
-- An operator's components in one province, outside every province ('') included.
CREATE INDEX task_area_components_group_idx
  ON task_area_components (country_iso3, organisation_id, (coalesce(province_code, '')));

-- No foreign keys: the rows are written only by the maintenance functions, which delete a task's
-- pieces themselves once its write is known (a cascade would drop them before the components they
-- belonged to could be re-dissolved).
CREATE TABLE task_area_pieces (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id         bigint NOT NULL,
  country_iso3    char(3) NOT NULL,
  organisation_id bigint NOT NULL,
  province_code   text,
  component_id    bigint NOT NULL,
  geom            geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX task_area_pieces_task_idx ON task_area_pieces (task_id);
CREATE INDEX task_area_pieces_geom_idx ON task_area_pieces USING gist (geom);
CREATE INDEX task_area_pieces_component_idx ON task_area_pieces (component_id);
CREATE INDEX task_area_pieces_country_idx ON task_area_pieces (country_iso3);

-- Per operator and province (or outside every province, province_code NULL) of a country: the sum
-- of its components' areas, re-summed for the operators a write touches, so that today's figures
-- are read without adding up every component.
CREATE TABLE task_area_totals (
  country_iso3    char(3) NOT NULL,
  organisation_id bigint NOT NULL,
  province_code   text,
  area_m2         double precision NOT NULL,
  UNIQUE NULLS NOT DISTINCT (country_iso3, organisation_id, province_code)
);

-- The figures as of a past day start from today's and take out the tasks recorded since; this
-- finds those tasks, and counts a country's tasks per operator from the index alone.
CREATE INDEX tasks_country_created_idx ON tasks (country_iso3, created_at) INCLUDE (organisation_id, status);
