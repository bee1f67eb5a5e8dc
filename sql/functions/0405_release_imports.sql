-- Imports of releases (completion reports from KoboToolbox or ODK): staging a dry run's rows and
-- committing them, beside the hazard imports of 0400_imports.sql and with the same report.

-- The one rule for a release's land, shared by single writes (releases.service.ts) and imports:
-- the polygon (already through sg_check_geometry) is clipped to its hazard; nothing inside the
-- hazard rejects it (rejection set), else the warnings say what was clipped off, a completion
-- before the hazard was recorded, and land other approved releases already released.
CREATE OR REPLACE FUNCTION sg_check_release(p_geom geometry, p_hazard_id bigint, p_completed_on date, p_except bigint)
RETURNS TABLE (geom geometry, area_m2 double precision, clipped_m2 double precision, rejection text, warnings text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c record;
  v_recorded date;
  v_overlap double precision;
BEGIN
  warnings := '{}';
  SELECT * INTO c FROM sg_clip_to_hazard(p_geom, p_hazard_id);
  IF c.geom IS NULL OR coalesce(c.area_m2, 0) <= 0 THEN
    rejection := 'lies entirely outside hazard ' || p_hazard_id;
    RETURN NEXT;
    RETURN;
  END IF;
  geom := c.geom;
  area_m2 := c.area_m2;
  clipped_m2 := coalesce(c.clipped_m2, 0);
  IF clipped_m2 > 0 THEN
    warnings := warnings || (round(clipped_m2) || ' m² outside hazard ' || p_hazard_id || ' were clipped off');
  END IF;
  SELECT recorded_on INTO v_recorded FROM hazards WHERE id = p_hazard_id;
  IF p_completed_on < v_recorded THEN
    warnings := warnings || ('completed_on ' || p_completed_on || ' is before the hazard was recorded (' || v_recorded || ')');
  END IF;
  v_overlap := sg_overlap_with_releases(c.geom, p_hazard_id, p_except);
  IF v_overlap > 0.5 THEN
    warnings := warnings || (round(v_overlap) || ' m² were already released by other approved releases; counted once');
  END IF;
  RETURN NEXT;
END
$$;

-- Stages one batch of a release import, row by row (completion reports come by the dozen or the
-- thousand, not the million). p_problem holds what attribute validation already rejected. The
-- hazard is found by its reference among the country's live hazards; a submission whose reference
-- (instance id) an earlier import already brought in is staged as it is, for the commit to leave.
CREATE OR REPLACE FUNCTION sg_import_stage_releases(
  p_import bigint, p_iso3 text, p_max_change double precision,
  p_index integer[], p_ref text[], p_problem text[], p_hazard_ref text[], p_method text[], p_start_on text[],
  p_completed_on text[], p_devices text[], p_geojson text[], p_wkb bytea[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  f record;
  v_hazard record;
  v_geom record;
  v_release record;
  v_existing bigint;
BEGIN
  FOR f IN
    SELECT * FROM unnest(p_index, p_ref, p_problem, p_hazard_ref, p_method, p_start_on, p_completed_on, p_devices, p_geojson, p_wkb)
             AS f(idx, ref, problem, hazard_ref, method, start_on, completed_on, devices, geojson, wkb)
  LOOP
    IF f.problem IS NOT NULL THEN
      INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason)
      VALUES (p_import, f.idx, f.ref, 'rejected', f.problem);
      CONTINUE;
    END IF;
    SELECT id, version INTO v_hazard FROM hazards
     WHERE country_iso3 = p_iso3 AND external_ref = f.hazard_ref AND deleted_at IS NULL;
    IF NOT FOUND THEN
      INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason)
      VALUES (p_import, f.idx, f.ref, 'rejected', 'hazard_ref: ' || f.hazard_ref || ' is not the reference of any hazard of ' || p_iso3);
      CONTINUE;
    END IF;
    SELECT r.id INTO v_existing FROM land_releases r JOIN hazards hz ON hz.id = r.hazard_id
     WHERE r.external_ref = f.ref AND hz.country_iso3 = p_iso3 LIMIT 1;
    IF v_existing IS NOT NULL THEN
      INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason, existing_release_id)
      VALUES (p_import, f.idx, f.ref, 'ok', 'already imported as release ' || v_existing || '; the commit leaves it as it is', v_existing);
      CONTINUE;
    END IF;
    -- Not held to the country: a release is clipped to its hazard instead.
    SELECT * INTO v_geom FROM sg_check_geometry(f.geojson, f.wkb, NULL, p_max_change, 0);
    IF v_geom.outcome = 'rejected' THEN
      INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason)
      VALUES (p_import, f.idx, f.ref, 'rejected', 'released_area: ' || v_geom.reason);
      CONTINUE;
    END IF;
    SELECT * INTO v_release FROM sg_check_release(v_geom.geom, v_hazard.id, f.completed_on::date, NULL);
    IF v_release.rejection IS NOT NULL THEN
      INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason)
      VALUES (p_import, f.idx, f.ref, 'rejected', 'released_area: ' || v_release.rejection || ' (' || f.hazard_ref || ')');
      CONTINUE;
    END IF;
    INSERT INTO import_features (import_id, feature_index, external_ref, outcome, reason, geom, area_m2, warnings,
                                 hazard_id, hazard_version, method, start_on, completed_on, devices, clipped_m2)
    VALUES (p_import, f.idx, f.ref,
            CASE WHEN v_geom.outcome = 'repaired' OR v_release.clipped_m2 > 0 THEN 'repaired' ELSE 'ok' END,
            nullif(array_to_string(v_geom.warnings || v_release.warnings, '; '), ''),
            v_release.geom, v_release.area_m2, v_geom.warnings || v_release.warnings,
            v_hazard.id, v_hazard.version, f.method::release_method, f.start_on::date, f.completed_on::date, f.devices::jsonb, v_release.clipped_m2);
  END LOOP;
END
$$;

-- Writes the accepted releases p_from..p_to of an import with status p_status, credited to
-- p_organisation; submissions imported before are left alone. Raises (nothing is written) when a
-- release's hazard was deleted or changed since the dry run, naming the feature. Runs inside the
-- commit's transaction; the caller writes the audit rows and refreshes the area summaries.
CREATE OR REPLACE FUNCTION sg_import_commit_releases(p_import bigint, p_from integer, p_to integer, p_user bigint,
                                                     p_status release_status, p_organisation bigint)
RETURNS TABLE (release_id bigint, hazard_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_stale record;
BEGIN
  SELECT f.feature_index, f.hazard_id INTO v_stale
    FROM import_features f LEFT JOIN hazards h ON h.id = f.hazard_id AND h.deleted_at IS NULL
   WHERE f.import_id = p_import AND f.feature_index BETWEEN p_from AND p_to AND f.outcome <> 'rejected'
     AND f.existing_release_id IS NULL AND h.version IS DISTINCT FROM f.hazard_version
   ORDER BY f.feature_index LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'feature %: hazard % changed or was deleted after the dry run; upload the file again',
      v_stale.feature_index, v_stale.hazard_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN QUERY
  INSERT INTO land_releases AS r (hazard_id, method, start_on, completed_on, organisation_id, devices, status, geom, area_m2,
                                  clipped_m2, external_ref, warnings, created_by, reviewed_by, reviewed_at)
  SELECT f.hazard_id, f.method, f.start_on, f.completed_on, p_organisation, f.devices, p_status, f.geom, f.area_m2,
         f.clipped_m2, f.external_ref, f.warnings, p_user,
         CASE WHEN p_status = 'approved' THEN p_user END, CASE WHEN p_status = 'approved' THEN now() END
    FROM import_features f
   WHERE f.import_id = p_import AND f.feature_index BETWEEN p_from AND p_to AND f.outcome <> 'rejected'
     AND f.existing_release_id IS NULL
   ORDER BY f.feature_index
  RETURNING r.id, r.hazard_id;
END
$$;
