-- File imports: staging a dry run's features and committing them (server/src/imports).

-- The former name of sg_check_geometry (0050_geometry.sql), which single writes share.
DROP FUNCTION IF EXISTS sg_import_check_geometry(text, text, double precision, double precision);
DROP FUNCTION IF EXISTS sg_import_check_geometry(text, bytea, text, double precision, double precision);

-- Fills country_inner_boxes (0008_country_inner_boxes.sql) for a country once. Cells of 1 degree
-- on whole-degree lines cover the country's extent; a cell inside the boundary is kept, one
-- crossing it is split in four down to 1/64 degree (level 6), one outside is dropped.
CREATE OR REPLACE FUNCTION sg_country_inner_boxes(p_iso3 text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  -- Read (and decompressed) once; PostGIS then prepares it once for all the cells.
  v_country geometry;
BEGIN
  IF EXISTS (SELECT 1 FROM country_inner_boxes_done WHERE iso3 = p_iso3) THEN
    RETURN;
  END IF;
  -- Two imports of one country starting together compute the cells once.
  PERFORM pg_advisory_xact_lock(hashtext('safeground:inner-boxes:' || p_iso3));
  IF EXISTS (SELECT 1 FROM country_inner_boxes_done WHERE iso3 = p_iso3) THEN
    RETURN;
  END IF;
  SELECT geom INTO v_country FROM countries WHERE iso3 = p_iso3;
  INSERT INTO country_inner_boxes (iso3, geom, west, south, east, north)
  WITH RECURSIVE cells (level, ix, iy, state) AS (
    SELECT 0, ix, iy, sg_inner_box_state(v_country, 0, ix, iy)
      FROM generate_series(floor(ST_XMin(v_country))::int, ceil(ST_XMax(v_country))::int - 1) ix,
           generate_series(floor(ST_YMin(v_country))::int, ceil(ST_YMax(v_country))::int - 1) iy
    UNION ALL
    SELECT p.level + 1, k.ix, k.iy, sg_inner_box_state(v_country, p.level + 1, k.ix, k.iy)
      FROM cells p,
           LATERAL (SELECT 2 * p.ix + dx AS ix, 2 * p.iy + dy AS iy FROM (VALUES (0, 0), (1, 0), (0, 1), (1, 1)) d(dx, dy)) k
     WHERE p.state = 'crossing' AND p.level < 6
  )
  SELECT p_iso3, ST_MakeEnvelope(ix * s, iy * s, (ix + 1) * s, (iy + 1) * s, 4326), ix * s, iy * s, (ix + 1) * s, (iy + 1) * s
    FROM cells, LATERAL (SELECT power(2::double precision, -level) AS s) scale
   WHERE state = 'inside';
  INSERT INTO country_inner_boxes_done (iso3) VALUES (p_iso3);
END
$$;

-- A cell at quadtree level p_level (size 2^-p_level degrees) against a country boundary.
CREATE OR REPLACE FUNCTION sg_inner_box_state(p_country geometry, p_level integer, p_ix integer, p_iy integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ST_CoveredBy(box, p_country) THEN 'inside' WHEN ST_Intersects(box, p_country) THEN 'crossing' ELSE 'outside' END
    FROM (SELECT ST_MakeEnvelope(p_ix * s, p_iy * s, (p_ix + 1) * s, (p_iy + 1) * s, 4326) AS box
            FROM (SELECT power(2::double precision, -p_level) AS s) scale) b
$$;

-- Stages one batch of a dry run. p_problem holds what attribute validation already rejected
-- (then the geometry is not even looked at); contamination comes comma-separated.
-- Most features of a real file are valid polygons well inside the country: for those the outcome
-- of sg_check_geometry is known without calling it (a plpgsql function run once per row,
-- whose queries are planned again on every call) — valid, so sg_prepare_geometry keeps ST_Multi
-- of the input; inside one of the country's inner boxes (0008_country_inner_boxes.sql, an index
-- probe) or else one piece of it (0007_subdivided_boundaries.sql), so nothing lies
-- outside; 'ok' with no warning. Every other feature goes through sg_check_geometry. A
-- geometry PostGIS cannot even parse raises in the set-based statement: the batch then runs again
-- feature by feature, where the parse error becomes that feature's rejection.
DROP FUNCTION IF EXISTS sg_import_stage(bigint, text, double precision, double precision, integer[], text[], text[], text[], text[],
                                         text[], text[], text[], text[]);
DROP FUNCTION IF EXISTS sg_import_stage(bigint, text, double precision, double precision, integer[], text[], text[], text[], text[],
                                         text[], text[], text[], text[], bytea[]);
CREATE OR REPLACE FUNCTION sg_import_stage(
  p_import bigint, p_iso3 text, p_max_change double precision, p_tolerance_m double precision,
  p_index integer[], p_ref text[], p_problem text[], p_classification text[], p_contamination text[],
  p_status text[], p_recorded_on text[], p_name text[], p_priority smallint[], p_geojson text[], p_wkb bytea[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_country_inner_boxes(p_iso3);
  BEGIN
    PERFORM sg_import_stage_rows(p_import, p_iso3, p_max_change, p_tolerance_m, p_index, p_ref, p_problem, p_classification,
                                 p_contamination, p_status, p_recorded_on, p_name, p_priority, p_geojson, p_wkb, true);
  EXCEPTION WHEN others THEN
    PERFORM sg_import_stage_rows(p_import, p_iso3, p_max_change, p_tolerance_m, p_index, p_ref, p_problem, p_classification,
                                 p_contamination, p_status, p_recorded_on, p_name, p_priority, p_geojson, p_wkb, false);
  END;
END
$$;

DROP FUNCTION IF EXISTS sg_import_stage_rows(bigint, text, double precision, double precision, integer[], text[], text[], text[],
                                              text[], text[], text[], text[], text[], boolean);
DROP FUNCTION IF EXISTS sg_import_stage_rows(bigint, text, double precision, double precision, integer[], text[], text[], text[],
                                              text[], text[], text[], text[], text[], bytea[], boolean);
CREATE OR REPLACE FUNCTION sg_import_stage_rows(
  p_import bigint, p_iso3 text, p_max_change double precision, p_tolerance_m double precision,
  p_index integer[], p_ref text[], p_problem text[], p_classification text[], p_contamination text[],
  p_status text[], p_recorded_on text[], p_name text[], p_priority smallint[], p_geojson text[], p_wkb bytea[],
  p_fast boolean)
RETURNS void
LANGUAGE sql AS $$
  WITH f AS (
    SELECT * FROM unnest(p_index, p_ref, p_problem, p_classification, p_contamination, p_status, p_recorded_on, p_name, p_priority,
                         p_geojson, p_wkb)
             AS f(idx, ref, problem, classification, contamination, status, recorded_on, name, priority, geojson, wkb)
  ),
  -- Parsed once (a lateral expression would be inlined into every place that uses it).
  parsed AS MATERIALIZED (
    SELECT f.idx, ST_Force2D(ST_SetSRID(CASE WHEN f.wkb IS NULL THEN ST_GeomFromGeoJSON(f.geojson) ELSE ST_GeomFromEWKB(f.wkb) END, 4326)) AS input
      FROM f
     WHERE p_fast AND f.problem IS NULL AND p_tolerance_m >= 0
  ),
  quick AS MATERIALIZED (
    SELECT v.idx, v.geom, sg_geodesic_area(v.geom) AS area_m2
      FROM (SELECT idx, ST_Multi(input) AS geom FROM parsed WHERE ST_IsValid(input) OFFSET 0) v
     -- ST_XMin and friends may read the float4 box kept with the geometry, rounded outwards:
     -- never smaller than the feature.
     WHERE EXISTS (SELECT 1 FROM country_inner_boxes b
                    WHERE b.iso3 = p_iso3 AND b.geom ~ v.geom AND b.west <= ST_XMin(v.geom) AND b.south <= ST_YMin(v.geom)
                      AND b.east >= ST_XMax(v.geom) AND b.north >= ST_YMax(v.geom))
        OR EXISTS (SELECT 1 FROM country_pieces cp WHERE cp.iso3 = p_iso3 AND cp.geom ~ v.geom AND ST_CoveredBy(v.geom, cp.geom))
  ),
  -- An inner join, so that the filter runs before the function (a LEFT JOIN's ON runs after it).
  checked AS (
    SELECT idx, geom, area_m2, 'ok' AS outcome, NULL::text AS reason, '{}'::text[] AS warnings FROM quick WHERE area_m2 > 0
    UNION ALL
    SELECT f.idx, g.geom, g.area_m2, g.outcome, g.reason, g.warnings
      FROM f
     CROSS JOIN LATERAL sg_check_geometry(f.geojson, f.wkb, p_iso3, p_max_change, p_tolerance_m) g
     WHERE f.problem IS NULL AND f.idx NOT IN (SELECT q.idx FROM quick q WHERE q.area_m2 > 0)
  )
  INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason, classification, contamination,
                               status, recorded_on, name, priority, geom, area_m2, warnings)
  SELECT p_import, f.idx, f.ref,
         CASE WHEN f.problem IS NOT NULL THEN 'rejected' ELSE c.outcome END,
         coalesce(f.problem, c.reason),
         CASE WHEN accepted THEN f.classification::hazard_classification END,
         CASE WHEN accepted THEN string_to_array(f.contamination, ',')::contamination_type[] END,
         CASE WHEN accepted THEN f.status::hazard_status END,
         CASE WHEN accepted THEN f.recorded_on::date END,
         CASE WHEN accepted THEN f.name END,
         CASE WHEN accepted THEN f.priority END,
         CASE WHEN accepted THEN c.geom END,
         CASE WHEN accepted THEN c.area_m2 END,
         coalesce(c.warnings, '{}')
    FROM f
    LEFT JOIN checked c ON c.idx = f.idx
    CROSS JOIN LATERAL (SELECT f.problem IS NULL AND c.outcome <> 'rejected' AS accepted) a
$$;

-- A hazard as a write returns it (hazards.service toFeature), for the audit log: coordinates at
-- full precision (RECORDED_DIGITS in restrictions.repository.ts) so that a restore is exact.
CREATE OR REPLACE FUNCTION sg_hazard_audit_json(h hazards) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.geom, 15)::jsonb,
    'properties', jsonb_build_object(
      'id', h.id, 'country', h.country_iso3, 'classification', h.classification, 'contamination', to_jsonb(h.contamination::text[]),
      'status', h.status, 'recorded_on', h.recorded_on, 'external_ref', h.external_ref, 'name', h.name,
      'priority', h.priority,
      'area_m2', h.area_m2, 'remaining_m2', h.remaining_m2, 'version', h.version, 'warnings', to_jsonb(h.warnings),
      'synthetic', h.synthetic, 'created_at', h.created_at, 'updated_at', h.updated_at))
$$;

-- The audit snapshot of an audit row: its own `after`, or for a hazard written by an import
-- (0030_import_audit_reference.sql) the snapshot sg_hazard_audit_json gave at the write, rebuilt
-- from the staged feature. The write set every column from it except those below: id is the
-- audited entity; version, created_at and synthetic carry on from the previous version (the
-- update's `before`) or start as an insert starts them; updated_at, like at, is the transaction's
-- now().
CREATE OR REPLACE FUNCTION sg_audit_after(a audit_log) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN a.import_id IS NULL THEN a.after ELSE (
    SELECT jsonb_build_object(
      'type', 'Feature', 'id', a.entity_id::bigint, 'geometry', ST_AsGeoJSON(f.geom, 15)::jsonb,
      'properties', jsonb_build_object(
        'id', a.entity_id::bigint, 'country', i.country_iso3, 'classification', f.classification,
        'contamination', to_jsonb(f.contamination::text[]), 'status', f.status, 'recorded_on', f.recorded_on,
        'external_ref', f.external_ref, 'name', f.name, 'priority', f.priority,
        'area_m2', f.area_m2, 'remaining_m2', f.area_m2,
        'version', coalesce((a.before #>> '{properties,version}')::integer + 1, 1), 'warnings', to_jsonb(f.warnings),
        'synthetic', coalesce(a.before #> '{properties,synthetic}', 'false'::jsonb),
        'created_at', coalesce(a.before #> '{properties,created_at}', to_jsonb(a.at)), 'updated_at', a.at))
      FROM import_features f JOIN imports i ON i.id = f.import_id
     WHERE f.import_id = a.import_id AND f.feature_index = a.import_feature_index)
  END
$$;

-- Writes the accepted features p_from..p_to of an import: new references are inserted, known
-- ones (same country and external_ref among live hazards) updated when anything differs, each
-- with its audit row, which refers to the staged feature (sg_audit_after). Returns the hazards
-- written; unchanged ones are left alone. Runs inside the commit's transaction; the caller
-- refreshes the area summaries once at the end.
CREATE OR REPLACE FUNCTION sg_import_commit_batch(p_import bigint, p_from integer, p_to integer, p_user bigint)
RETURNS TABLE (hazard_id bigint, inserted boolean)
LANGUAGE sql AS $$
  WITH staged AS MATERIALIZED (
    SELECT f.*, i.country_iso3
      FROM import_features f JOIN imports i ON i.id = f.import_id
     WHERE f.import_id = p_import AND f.feature_index BETWEEN p_from AND p_to AND f.outcome <> 'rejected'
  ),
  written AS (
    INSERT INTO hazards AS h (country_iso3, classification, contamination, status, recorded_on, external_ref, name,
                              priority, geom, area_m2, remaining_geom, remaining_m2, warnings, created_by)
    SELECT country_iso3, classification, contamination, status, recorded_on, external_ref, name, priority,
           geom, area_m2, geom, area_m2, warnings, p_user
      FROM staged ORDER BY feature_index
    ON CONFLICT (country_iso3, external_ref) WHERE external_ref IS NOT NULL AND deleted_at IS NULL
    DO UPDATE SET classification = excluded.classification, contamination = excluded.contamination,
                  status = excluded.status, recorded_on = excluded.recorded_on, name = excluded.name,
                  priority = excluded.priority, geom = excluded.geom, area_m2 = excluded.area_m2,
                  remaining_geom = excluded.geom, remaining_m2 = excluded.area_m2, warnings = excluded.warnings,
                  version = h.version + 1, updated_at = now()
     WHERE (h.classification, h.contamination, h.status, h.recorded_on, h.name, h.priority)
             IS DISTINCT FROM (excluded.classification, excluded.contamination, excluded.status, excluded.recorded_on, excluded.name,
                               excluded.priority)
        OR NOT ST_OrderingEquals(h.geom, excluded.geom)
    RETURNING h.id, h.external_ref, h.xmax::text = '0' AS inserted
  ),
  -- Every part of the statement sees the hazards as they were before it, so the row found by id
  -- is the previous version. (A join of written with hazards by reference was planned as a
  -- nested loop scanning the whole hazards table per written row: quadratic in the import.)
  -- Every accepted feature has a reference, unique in its import (sg_import_reject_duplicates):
  -- it ties a written hazard back to its staged feature, both sides held by this statement.
  audit AS (
    INSERT INTO audit_log (user_id, action, entity, entity_id, before, import_id, import_feature_index)
    SELECT p_user, CASE WHEN w.inserted THEN 'create' ELSE 'update' END, 'hazard', w.id::text,
           CASE WHEN NOT w.inserted THEN (SELECT sg_hazard_audit_json(old) FROM hazards old WHERE old.id = w.id) END,
           p_import, s.feature_index
      FROM written w
      JOIN staged s ON s.external_ref = w.external_ref
  )
  SELECT id, inserted FROM written
$$;

-- A reference may appear once per file: later features repeating it are rejected (the commit
-- upserts by reference, so two rows with one reference would silently overwrite each other).
CREATE OR REPLACE FUNCTION sg_import_reject_duplicates(p_import bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE import_features f
     SET outcome = 'rejected',
         reason = 'external_ref ' || f.external_ref || ' repeats that of feature ' || d.first_index
    FROM (SELECT feature_index, min(feature_index) OVER (PARTITION BY external_ref) AS first_index
            FROM import_features WHERE import_id = p_import AND external_ref IS NOT NULL) d
   WHERE f.import_id = p_import AND f.feature_index = d.feature_index AND d.first_index < f.feature_index
$$;
