-- The tile regions' update triggers ran their query as dynamic SQL, parsed and planned anew for
-- every statement, so that a million-row update was not joined by a plan made for one row (a
-- transition table's row count is fixed when a statement is parsed, so a kept plan keeps it too).
-- Planning that query cost a one-hazard update, which every release write makes, about 3 ms of
-- its 35. Now a statement of up to a hundred rows (the area engine's bound for a bulk write) runs
-- the query as a static statement, whose plan PL/pgSQL keeps, and a larger one runs it as
-- dynamic SQL as before. Both are made from one text here, so they cannot drift apart.
DO $migration$
DECLARE
  v_hazards constant text := $q$
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
  $q$;
  v_releases constant text := $q$
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
  $q$;
  -- $1 is the statement's number: a parameter of the dynamic query, a variable of the static one.
  v_function constant text := $f$
    CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $body$
    DECLARE
      v_statement integer := sg_tile_regions_statement();
    BEGIN
      IF (SELECT count(*) FROM new_rows) > 100 THEN
        EXECUTE %L USING v_statement;
      ELSE
        %s;
      END IF;
      RETURN NULL;
    END
    $body$
  $f$;
BEGIN
  EXECUTE format(v_function, 'sg_tile_regions_hazards_updated', v_hazards, replace(v_hazards, '$1', 'v_statement'));
  EXECUTE format(v_function, 'sg_tile_regions_releases_updated', v_releases, replace(v_releases, '$1', 'v_statement'));
END
$migration$;
