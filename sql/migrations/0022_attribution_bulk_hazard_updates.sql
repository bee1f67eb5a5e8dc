-- A bulk update of hazards (a full recompute rewrites every hazard's remaining area and cluster)
-- hands this trigger transition tables holding every row. Transition tables carry no statistics,
-- so joining the old rows to the new ones was planned as a nested loop over two 100,000-row
-- tuplestores: quadratic, hours of temporary-file reads. Grouping both sides by id finds the
-- hazards whose country or liveness changed in one pass; only those are joined to their releases.
CREATE OR REPLACE FUNCTION sg_attribution_hazards_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_attribution_touch(array_agg(l.id), array_agg(l.geom))
     FROM (SELECT id
             FROM (SELECT id, country_iso3, deleted_at IS NULL AS live FROM old_rows
                   UNION ALL
                   SELECT id, country_iso3, deleted_at IS NULL AS live FROM new_rows) AS sides
            GROUP BY id
           HAVING count(DISTINCT (country_iso3, live)) > 1) AS changed
     JOIN land_releases l ON l.hazard_id = changed.id AND l.status = 'approved';
  RETURN NULL;
END
$$;
