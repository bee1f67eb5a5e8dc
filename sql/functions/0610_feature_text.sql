-- Features as GeoJSON text, built where the rows are: the lists, the OGC API and the GeoJSON export
-- stream these texts one after the other, so the app neither parses nor serialises a feature.
--
-- The shape is the one hazards.service toFeature gives (tests compare the two), and the reader's
-- view of a restricted country is the one of sql/functions/0600_restrictions.sql: the geometry
-- through sg_visible_geometry, and outside the country's circle `generalised` and `cell_km` added
-- and the free text withheld (the rule: server/src/restrictions/disclosure.ts).

-- A timestamp as JavaScript's toISOString writes it (UTC, milliseconds truncated, as node-pg reads it).
-- STABLE like to_char, so that it is inlined.
CREATE OR REPLACE FUNCTION sg_iso_instant(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A hazard's Feature text from the parts a reader's view decides: its name, warnings, what the
-- properties end with (`generalised` and `cell_km` for a generalised one) and its geometry.
-- p_export: the exports' columns (no top-level id, no version, warnings or timestamps); an export's
-- caller passes the geometry with exterior rings counterclockwise, as RFC 7946 asks of a file.
-- Text is concatenated, not built with json_build_object (several times slower per row); the
-- enumerations' labels are plain words and numbers print as JSON does (float8out), so only free
-- text goes through to_json for escaping. One expression with no FROM, so the planner inlines it
-- into the query. p_geom appears once: the planner does not inline a function that would repeat
-- an expensive argument (a generalised geometry), and a call that is not inlined takes the whole
-- row, which a query then builds for every row it reads (twice the time of reading the texts).
CREATE OR REPLACE FUNCTION sg_hazard_feature_text(h hazards, p_name text, p_warnings text[], p_tail text, p_geom geometry,
                                                  p_digits integer, p_export boolean)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_export THEN '{"type":"Feature","properties":{"id":' ELSE '{"type":"Feature","id":' || h.id || ',"properties":{"id":' END
      || h.id
      || ',"country":"' || h.country_iso3
      || '","classification":"' || h.classification
      || '","contamination":["' || array_to_string(h.contamination, '","')
      || '"],"status":"' || h.status
      || '","recorded_on":"' || to_char(h.recorded_on, 'YYYY-MM-DD')
      || '","external_ref":' || coalesce(to_json(h.external_ref)::text, 'null')
      || ',"name":' || coalesce(to_json(p_name)::text, 'null')
      || ',"priority":' || coalesce(h.priority::text, 'null')
      || ',"area_m2":' || h.area_m2
      || ',"remaining_m2":' || h.remaining_m2
      || ',"synthetic":' || h.synthetic
      || CASE WHEN p_export THEN '' ELSE
           ',"version":' || h.version
           || ',"warnings":' || to_json(p_warnings)::text
           || ',"created_at":"' || sg_iso_instant(h.created_at)
           || '","updated_at":"' || sg_iso_instant(h.updated_at) || '"' END
      || p_tail
      || '},"geometry":'
      || ST_AsGeoJSON(p_geom, p_digits)
      || '}'
$$;

-- The coordinate decimals of published geometries; server/src/geo/coordinates.ts PUBLISHED_DIGITS
-- owns the number, and a test checks that this one agrees.
CREATE OR REPLACE FUNCTION sg_published_digits() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 7 $$;

-- The text kept in hazards.feature_text (migration 0032's trigger): the exact view, at the
-- published decimals.
CREATE OR REPLACE FUNCTION sg_hazard_stored_feature(h hazards) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT sg_hazard_feature_text(h, h.name, h.warnings, '', h.geom, sg_published_digits(), false)
$$;

-- A hazard as a GeoJSON Feature for a reader who sees its country in cells of p_cell_km (NULL:
-- exactly; the query joins sg_hidden_cells once, see 0600_restrictions.sql), coordinates to
-- p_digits decimals. Exact at the published decimals: the stored text. Otherwise built, exact or
-- generalised as sg_visible_geometry draws it with its free text withheld.
CREATE OR REPLACE FUNCTION sg_hazard_feature(h hazards, p_cell_km double precision, p_digits integer, p_export boolean)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_cell_km IS NOT NULL
           THEN sg_hazard_feature_text(h, NULL, '{}', ',"generalised":true,"cell_km":' || p_cell_km,
                  CASE WHEN p_export THEN ST_ForcePolygonCCW(sg_generalise(h.geom, p_cell_km))
                       ELSE sg_generalise(h.geom, p_cell_km) END, p_digits, p_export)
           WHEN NOT p_export AND p_digits = sg_published_digits() AND h.feature_text IS NOT NULL
           THEN h.feature_text
           ELSE sg_hazard_feature_text(h, h.name, h.warnings, '',
                  CASE WHEN p_export THEN ST_ForcePolygonCCW(h.geom) ELSE h.geom END, p_digits, p_export) END
$$;

-- The signature this function had before the hidden countries were joined once.
DROP FUNCTION IF EXISTS sg_hazard_feature(hazards, text[], integer, boolean);

-- Texts stored by another version of the functions that build them, or of PostGIS (which prints
-- the coordinates), are built again, once, when these functions are applied (an update of every
-- hazard in this transaction: about 3 minutes at a million); texts not stored yet (written while
-- the functions were being applied) are built on every application.
DO $$
DECLARE
  v_rule constant text := 'feature text ' || md5(pg_get_functiondef('sg_iso_instant'::regproc)
    || pg_get_functiondef('sg_hazard_feature_text'::regproc) || pg_get_functiondef('sg_hazard_stored_feature'::regproc)
    || pg_get_functiondef('sg_published_digits'::regproc) || postgis_lib_version());
BEGIN
  -- Recorded on the trigger that keeps the texts (a column's comment would reach the generated types).
  IF obj_description((SELECT oid FROM pg_trigger WHERE tgrelid = 'hazards'::regclass AND tgname = 'hazards_feature_text'),
                     'pg_trigger') IS DISTINCT FROM v_rule THEN
    IF EXISTS (SELECT 1 FROM hazards) THEN
      UPDATE hazards SET feature_text = NULL WHERE true;
    END IF;
    EXECUTE format('COMMENT ON TRIGGER hazards_feature_text ON hazards IS %L', v_rule);
  -- Only when there are some: a statement on hazards tells every app process the data changed.
  ELSIF EXISTS (SELECT 1 FROM hazards WHERE feature_text IS NULL) THEN
    UPDATE hazards SET feature_text = NULL WHERE feature_text IS NULL;
  END IF;
END
$$;
