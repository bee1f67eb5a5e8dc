-- Vector tiles of the ledger: hazards (z 4-16) and approved releases (z 6-16). Helpers are in
-- 0400_tiles.sql. Both tables keep a web-mercator copy of their geometry (geom_3857, indexed), so
-- a tile finds and cuts its features without reprojecting them. p_as_of NULL means today: every
-- live hazard with its stored remaining area; a date means the end of that day: hazards recorded
-- and releases completed on or before it, each hazard's remaining area as of that day by the
-- engine's rule (sg_hazard_remaining_as_of).
--
-- From z10 up every record is its own feature. Below z10 a tile would carry tens of thousands of
-- polygons a pixel or two wide, so records are dissolved: each record marks the blocks its
-- bounding box touches, and one feature per region and contamination type (releases: method and
-- year) is the union of its blocks, with the count and summed areas of its records and
-- generalised = true. Sums are per record: where hazards overlap they are not the union figures of
-- the API. Today's regions are kept between requests (0408_tile_regions.sql).
--
-- Sensitive locations (0600_restrictions.sql): p_exact is the reader's exact scope. Records of
-- countries hidden from this reader never enter the exact or dissolved features; at every zoom
-- they appear only as grid cells (generalised = true, with cell_km), whose ids are above 2^52.

CREATE OR REPLACE FUNCTION sg_tile_hazards(p_z int, p_x int, p_y int, p_as_of date, p_exact text[]) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_tile_box geometry := ST_TileEnvelope(p_z, p_x, p_y);
  v_reach geometry := ST_TileEnvelope(p_z, p_x, p_y, margin => 64.0 / 4096);
  v_hidden char(3)[] := sg_hidden_countries(p_exact);
  v_tile bytea;
BEGIN
  IF p_z >= 10 THEN
    SELECT ST_AsMVT(f, 'hazards', 4096, 'geom', 'fid') INTO v_tile FROM (
      SELECT h.id AS fid, h.id, coalesce(h.external_ref, h.name, h.id::text) AS reference,
             h.classification::text AS classification, h.contamination[1]::text AS contamination,
             array_to_string(h.contamination, ',') AS contamination_all, h.status::text AS status,
             round(h.area_m2)::bigint AS area_m2, round(r.m2)::bigint AS remaining_m2,
             round((r.m2 / h.area_m2)::numeric, 4)::double precision AS remaining_share,
             h.recorded_on::text AS recorded_on, h.country_iso3::text AS country_iso3,
             NULL::bigint AS count, NULL::boolean AS generalised, NULL::double precision AS cell_km,
             ST_AsMVTGeom(h.geom_3857, v_tile_box, 4096, 64, true) AS geom
        FROM hazards h
        CROSS JOIN LATERAL sg_hazard_remaining_as_of(h.id, h.remaining_m2, p_as_of) r
       WHERE h.geom_3857 && v_reach AND h.deleted_at IS NULL AND (p_as_of IS NULL OR h.recorded_on <= p_as_of)
         AND NOT h.country_iso3 = ANY(v_hidden)
      UNION ALL
      SELECT c.fid, NULL, NULL, c.classification, c.contamination, NULL, NULL, c.area_m2, c.remaining_m2, c.remaining_share,
             NULL, NULL, c.count, true, c.cell_km, ST_AsMVTGeom(c.geom, v_tile_box, 4096, 64, true)
        FROM sg_tile_hazard_cells(v_tile_box, v_hidden, p_as_of) c
    ) f;
    RETURN coalesce(v_tile, '');
  END IF;

  -- Below z10: regions (0408_tile_regions.sql), kept for today, drawn from the ledger for a past day.
  SELECT ST_AsMVT(f, 'hazards', 4096, 'geom', 'fid') INTO v_tile FROM (
    SELECT r.fid, CASE WHEN 2 * r.cha_m2 >= r.area_m2 THEN 'CHA' ELSE 'SHA' END AS classification,
           r.kind AS contamination, r.count, round(r.area_m2)::bigint AS area_m2,
           round(r.remaining_m2)::bigint AS remaining_m2,
           round(r.remaining_m2 / r.area_m2, 4)::double precision AS remaining_share,
           true AS generalised, NULL::double precision AS cell_km,
           ST_AsMVTGeom(r.shape, v_tile_box, 4096, 64, true) AS geom
      FROM sg_tile_regions_for_tile('hazards', p_z, p_x, p_y, p_as_of, v_hidden) r
    UNION ALL
    SELECT c.fid, c.classification, c.contamination, c.count, c.area_m2, c.remaining_m2, c.remaining_share, true, c.cell_km,
           ST_AsMVTGeom(c.geom, v_tile_box, 4096, 64, true)
      FROM sg_tile_hazard_cells(v_tile_box, v_hidden, p_as_of) c
  ) f;
  RETURN coalesce(v_tile, '');
END
$$;

CREATE OR REPLACE FUNCTION sg_tile_releases(p_z int, p_x int, p_y int, p_as_of date, p_exact text[]) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_tile_box geometry := ST_TileEnvelope(p_z, p_x, p_y);
  v_reach geometry := ST_TileEnvelope(p_z, p_x, p_y, margin => 64.0 / 4096);
  v_hidden char(3)[] := sg_hidden_countries(p_exact);
  v_tile bytea;
BEGIN
  IF p_z >= 10 THEN
    SELECT ST_AsMVT(f, 'releases', 4096, 'geom', 'fid') INTO v_tile FROM (
      SELECT l.id AS fid, l.id, l.hazard_id, l.method::text AS method,
             extract(year FROM l.completed_on)::int AS year, l.completed_on::text AS completed_on,
             round(l.area_m2)::bigint AS area_m2,
             NULL::bigint AS count, NULL::boolean AS generalised, NULL::double precision AS cell_km,
             ST_AsMVTGeom(l.geom_3857, v_tile_box, 4096, 64, true) AS geom
        FROM land_releases l
       WHERE l.geom_3857 && v_reach AND l.status = 'approved' AND (p_as_of IS NULL OR l.completed_on <= p_as_of)
         -- A deleted hazard's releases no longer count anywhere.
         AND EXISTS (SELECT 1 FROM hazards h WHERE h.id = l.hazard_id AND h.deleted_at IS NULL
                       AND NOT h.country_iso3 = ANY(v_hidden))
      UNION ALL
      SELECT c.fid, NULL, NULL, c.method, NULL, NULL, c.area_m2, c.count, true, c.cell_km, ST_AsMVTGeom(c.geom, v_tile_box, 4096, 64, true)
        FROM sg_tile_release_cells(v_tile_box, v_hidden, p_as_of) c
    ) f;
    RETURN coalesce(v_tile, '');
  END IF;

  -- Below z10: regions, as for hazards.
  SELECT ST_AsMVT(f, 'releases', 4096, 'geom', 'fid') INTO v_tile FROM (
    SELECT r.fid, r.kind AS method, r.year::int AS year, r.count, round(r.area_m2)::bigint AS area_m2,
           true AS generalised, NULL::double precision AS cell_km, ST_AsMVTGeom(r.shape, v_tile_box, 4096, 64, true) AS geom
      FROM sg_tile_regions_for_tile('releases', p_z, p_x, p_y, p_as_of, v_hidden) r
    UNION ALL
    SELECT c.fid, c.method, NULL, c.count, c.area_m2, true, c.cell_km, ST_AsMVTGeom(c.geom, v_tile_box, 4096, 64, true)
      FROM sg_tile_release_cells(v_tile_box, v_hidden, p_as_of) c
  ) f;
  RETURN coalesce(v_tile, '');
END
$$;
