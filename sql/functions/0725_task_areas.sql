-- Who works where: per operator, the area of its tasks in a country, whole and by province. The
-- rule, stated in server/src/coalitions/coalition.service.ts (COALITION_RULES):
--
-- An operator's tasks counted are those neither rejected nor cancelled. Its area in a province is
-- the geodesic area of the union of its tasks cut by that province (ST_Intersection); its area in
-- the country is the sum of its province areas plus the area of that union outside every province
-- of the country (the area of the whole union, as long as the country's provinces do not overlap).
--
-- Stored (tables in sql/migrations/0017_task_areas.sql): each counted task is cut into pieces, its
-- polygons inside each province it meets and outside every province; an operator's pieces in one
-- province (or outside) that intersect, directly or through others, form a component whose union
-- area is stored. Components are disjoint but for shared edges, so the union area of an operator in
-- a province is the sum of its components', kept per operator and province as a total. A task
-- write re-dissolves only the components its old and new pieces touch, in the writing transaction
-- (triggers at the bottom).

-- The tasks that count: every status but rejected and cancelled.
CREATE OR REPLACE FUNCTION sg_task_counted(p_status task_status) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_status NOT IN ('rejected', 'cancelled')
$$;


-- The pieces of the counted tasks among p_tasks, polygon by polygon: a polygon inside one
-- subdivided piece of a province (nearly all are) belongs to that province whole; any other is cut
-- by every province it meets, and what remains outside them all is outside every province
-- (province_code NULL). Cutting whole tasks instead, some of thousands of vertices over several
-- provinces, took a hundred times longer.
CREATE OR REPLACE FUNCTION sg_task_area_pieces(p_tasks bigint[])
RETURNS TABLE (task_id bigint, country_iso3 char(3), organisation_id bigint, province_code text, geom geometry)
LANGUAGE sql STABLE AS $$
  WITH polygons AS MATERIALIZED (
    SELECT t.id, t.country_iso3, t.organisation_id, d.path AS n, d.geom,
           (SELECT pp.code FROM province_pieces pp
             WHERE pp.country_iso3 = t.country_iso3 AND pp.geom ~ d.geom AND ST_CoveredBy(d.geom, pp.geom)
             LIMIT 1) AS inside
      FROM tasks t
     CROSS JOIN LATERAL ST_Dump(t.geom) AS d
     WHERE t.id = ANY (p_tasks) AND sg_task_counted(t.status)
  ), crossing AS MATERIALIZED (
    SELECT x.id, x.country_iso3, x.organisation_id, x.n, x.geom, p.code, p.geom AS province
      FROM polygons x
      JOIN provinces p ON p.country_iso3 = x.country_iso3 AND p.geom && x.geom AND ST_Intersects(p.geom, x.geom)
     WHERE x.inside IS NULL
  ), outside AS (
    SELECT x.id, x.country_iso3, x.organisation_id, coalesce(ST_Difference(x.geom, o.provinces), x.geom) AS geom
      FROM polygons x
      LEFT JOIN (SELECT c.id, c.n, ST_Union(c.province) AS provinces FROM crossing c GROUP BY c.id, c.n) o
             ON o.id = x.id AND o.n = x.n
     WHERE x.inside IS NULL
  )
  SELECT x.id, x.country_iso3, x.organisation_id, x.inside, x.geom FROM polygons x WHERE x.inside IS NOT NULL
  UNION ALL
  SELECT c.id, c.country_iso3, c.organisation_id, c.code, d.geom
    FROM crossing c CROSS JOIN LATERAL ST_Dump(ST_Intersection(c.geom, c.province)) AS d
   WHERE GeometryType(d.geom) = 'POLYGON'
  UNION ALL
  SELECT o.id, o.country_iso3, o.organisation_id, NULL, d.geom
    FROM outside o CROSS JOIN LATERAL ST_Dump(o.geom) AS d
   WHERE GeometryType(d.geom) = 'POLYGON'
$$;

-- Brings the stored pieces and components of the tasks p_tasks (inserted, changed or deleted) up
-- to date: their old pieces go, their new pieces come, and every component either touched is
-- dissolved again (ST_ClusterDBSCAN with eps 0: pieces that intersect or touch) with its other
-- members. Set-based, for one task or a bulk load alike. Takes the country's task lock (the one
-- task writes take before any row lock) so that two writers never re-dissolve the same
-- components at once.
CREATE OR REPLACE FUNCTION sg_refresh_task_areas(p_tasks bigint[]) RETURNS void
LANGUAGE plpgsql
-- The planner cannot tell how many pieces a write brings, and its estimates for one task cross the
-- cost at which it compiles the query (JIT): a tenth of a second compiling what runs in milliseconds.
SET jit = off
AS $$
DECLARE
  v_old bigint[];
  v_groups task_area_totals[];
BEGIN
  IF cardinality(p_tasks) = 0 THEN
    RETURN;
  END IF;
  -- The country task lock (sql/functions/0710_tasks.sql): these figures read what other writers
  -- of the country may be changing.
  PERFORM sg_lock_country_tasks(ARRAY(SELECT country_iso3::text FROM tasks WHERE id = ANY (p_tasks)
                                      UNION
                                      SELECT country_iso3::text FROM task_area_pieces WHERE task_id = ANY (p_tasks)));

  WITH gone AS (DELETE FROM task_area_pieces WHERE task_id = ANY (p_tasks) RETURNING component_id)
  SELECT coalesce(array_agg(DISTINCT component_id), '{}') INTO v_old FROM gone;

  WITH fresh AS MATERIALIZED (
    SELECT * FROM sg_task_area_pieces(p_tasks)
  ), touched AS MATERIALIZED (
    -- The components of the old pieces and those the new pieces meet.
    SELECT unnest(v_old) AS id
    UNION
    SELECT n.component_id
      FROM fresh f
      JOIN task_area_pieces n ON n.geom && f.geom AND n.country_iso3 = f.country_iso3
                             AND n.organisation_id = f.organisation_id
                             AND n.province_code IS NOT DISTINCT FROM f.province_code
                             AND ST_Intersects(n.geom, f.geom)
  ), members AS (
    SELECT p.id, p.task_id, p.country_iso3, p.organisation_id, p.province_code, p.geom
      FROM task_area_pieces p WHERE p.component_id IN (SELECT t.id FROM touched t)
    UNION ALL
    SELECT NULL, f.task_id, f.country_iso3, f.organisation_id, f.province_code, f.geom FROM fresh f
  ), clustered AS (
    SELECT m.*, ST_ClusterDBSCAN(m.geom, eps => 0, minpoints => 1)
                  OVER (PARTITION BY m.country_iso3, m.organisation_id, m.province_code) AS k
      FROM members m
  ), grouped AS MATERIALIZED (
    SELECT c.*, dense_rank() OVER (ORDER BY c.country_iso3, c.organisation_id, c.province_code, c.k) AS g,
           count(*) OVER (PARTITION BY c.country_iso3, c.organisation_id, c.province_code, c.k) AS size
      FROM clustered c
  ), ids AS MATERIALIZED (
    SELECT g, nextval('task_area_component_ids') AS component_id FROM (SELECT DISTINCT g FROM grouped) d
  ), dropped AS (
    DELETE FROM task_area_components WHERE id IN (SELECT t.id FROM touched t)
    RETURNING country_iso3, organisation_id, province_code
  ), created AS (
    -- A component of one piece (most are) is measured without a union.
    INSERT INTO task_area_components (id, country_iso3, organisation_id, province_code, area_m2)
    SELECT i.component_id, a.country_iso3, a.organisation_id, a.province_code, a.area_m2
      FROM (SELECT m.g, m.country_iso3, m.organisation_id, m.province_code, sg_geodesic_area(m.geom) AS area_m2
              FROM grouped m WHERE m.size = 1
            UNION ALL
            SELECT m.g, min(m.country_iso3), min(m.organisation_id), min(m.province_code),
                   sg_geodesic_area(ST_Union(m.geom))
              FROM grouped m WHERE m.size > 1 GROUP BY m.g) a
      JOIN ids i USING (g)
    RETURNING country_iso3, organisation_id, province_code
  ), moved AS (
    UPDATE task_area_pieces p SET component_id = i.component_id
      FROM grouped m JOIN ids i USING (g)
     WHERE p.id = m.id
  ), inserted AS (
    INSERT INTO task_area_pieces (task_id, country_iso3, organisation_id, province_code, component_id, geom)
    SELECT m.task_id, m.country_iso3, m.organisation_id, m.province_code, i.component_id, m.geom
      FROM grouped m JOIN ids i USING (g)
     WHERE m.id IS NULL
  )
  -- The operators and provinces whose components went or came.
  SELECT coalesce(array_agg(DISTINCT ROW(x.country_iso3, x.organisation_id, x.province_code, 0::double precision)::task_area_totals), '{}')
    INTO v_groups
    FROM (SELECT * FROM dropped UNION SELECT * FROM created) x;

  -- Their totals, summed again.
  DELETE FROM task_area_totals s
   USING unnest(v_groups) g
   WHERE s.country_iso3 = g.country_iso3 AND s.organisation_id = g.organisation_id
     AND s.province_code IS NOT DISTINCT FROM g.province_code;
  INSERT INTO task_area_totals (country_iso3, organisation_id, province_code, area_m2)
  SELECT g.country_iso3, g.organisation_id, g.province_code, sum(c.area_m2)
    FROM unnest(v_groups) g
    JOIN task_area_components c ON c.country_iso3 = g.country_iso3 AND c.organisation_id = g.organisation_id
                               AND coalesce(c.province_code, '') = coalesce(g.province_code, '')
   GROUP BY g.country_iso3, g.organisation_id, g.province_code;
END
$$;

-- Every task of these countries cut and dissolved again: after their provinces changed, or for a
-- database whose tasks were written before the figures were stored.
CREATE OR REPLACE FUNCTION sg_rebuild_task_areas(p_countries text[]) RETURNS void
LANGUAGE sql AS $$
  SELECT sg_refresh_task_areas(ARRAY(
    SELECT id FROM tasks WHERE country_iso3 = ANY (p_countries)
    UNION
    SELECT task_id FROM task_area_pieces WHERE country_iso3 = ANY (p_countries)))
$$;

-- Who works where in a country, with the tasks recorded by the end of the UTC day p_until: per
-- operator the number of its counted tasks and its area in the country (province_code NULL), and
-- its area in each province it works in. Today's figures are the stored totals. For an earlier
-- day, the components holding a piece of a task recorded since are dissolved again from their
-- pieces recorded by then, and the operators and provinces they belong to are summed again from
-- their components.
CREATE OR REPLACE FUNCTION sg_coalition_task_areas(p_country char(3), p_until date)
RETURNS TABLE (organisation_id bigint, province_code text, tasks bigint, area_m2 double precision)
LANGUAGE sql STABLE SET jit = off AS $$
  WITH late AS MATERIALIZED (
    SELECT t.id FROM tasks t
     WHERE t.country_iso3 = p_country AND sg_task_counted(t.status)
       AND t.created_at >= ((p_until + 1)::timestamp AT TIME ZONE 'UTC')
  ), redone AS MATERIALIZED (
    SELECT DISTINCT p.component_id AS id FROM late l JOIN task_area_pieces p ON p.task_id = l.id
  ), affected AS MATERIALIZED (
    SELECT DISTINCT c.organisation_id, c.province_code FROM redone r JOIN task_area_components c ON c.id = r.id
  ), parts AS MATERIALIZED (
    SELECT s.organisation_id, s.province_code, s.area_m2
      FROM task_area_totals s
     WHERE s.country_iso3 = p_country
       AND NOT EXISTS (SELECT 1 FROM affected a
                        WHERE a.organisation_id = s.organisation_id AND a.province_code IS NOT DISTINCT FROM s.province_code)
    UNION ALL
    SELECT c.organisation_id, c.province_code, c.area_m2
      FROM affected a
      JOIN task_area_components c ON c.country_iso3 = p_country AND c.organisation_id = a.organisation_id
                                 AND coalesce(c.province_code, '') = coalesce(a.province_code, '')
     WHERE NOT EXISTS (SELECT 1 FROM redone r WHERE r.id = c.id)
    UNION ALL
    SELECT min(p.organisation_id), min(p.province_code), sg_geodesic_area(ST_Union(p.geom))
      FROM redone r JOIN task_area_pieces p ON p.component_id = r.id
     WHERE NOT EXISTS (SELECT 1 FROM late l WHERE l.id = p.task_id)
     GROUP BY p.component_id
  ), operators AS (
    SELECT t.organisation_id, count(*) AS tasks
      FROM tasks t
     WHERE t.country_iso3 = p_country AND sg_task_counted(t.status)
       AND t.created_at < ((p_until + 1)::timestamp AT TIME ZONE 'UTC')
     GROUP BY t.organisation_id
  ), wholes AS (
    SELECT a.organisation_id, sum(a.area_m2) AS area_m2 FROM parts a GROUP BY a.organisation_id
  )
  SELECT o.organisation_id, NULL::text, o.tasks, coalesce(w.area_m2, 0)
    FROM operators o LEFT JOIN wholes w ON w.organisation_id = o.organisation_id
  UNION ALL
  SELECT a.organisation_id, a.province_code, min(o.tasks), sum(a.area_m2)
    FROM parts a JOIN operators o ON o.organisation_id = a.organisation_id
   WHERE a.province_code IS NOT NULL
   GROUP BY a.organisation_id, a.province_code
$$;

-- Triggers: every task write, whatever its path (the API, the demo and benchmark loaders, plain
-- SQL), refreshes the stored figures of the tasks whose counted ground changed, once per statement.
-- (A trigger with transition tables fires on one event: three triggers share each function.)
CREATE OR REPLACE FUNCTION sg_tasks_refresh_areas() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_tasks bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_tasks := ARRAY(SELECT n.id FROM new_tasks n WHERE sg_task_counted(n.status));
  ELSIF TG_OP = 'DELETE' THEN
    v_tasks := ARRAY(SELECT o.id FROM old_tasks o WHERE sg_task_counted(o.status));
  ELSE
    v_tasks := ARRAY(
      SELECT n.id
        FROM old_tasks o JOIN new_tasks n ON n.id = o.id
       WHERE sg_task_counted(o.status) <> sg_task_counted(n.status)
          OR (sg_task_counted(n.status)
              AND (o.organisation_id <> n.organisation_id OR o.country_iso3 <> n.country_iso3
                   OR NOT ST_OrderingEquals(o.geom, n.geom))));
  END IF;
  PERFORM sg_refresh_task_areas(v_tasks);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION sg_tasks_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE task_area_pieces, task_area_components;
  RETURN NULL;
END
$$;

-- The pieces are cut by provinces: a country whose provinces change shape (a geodata load) has its
-- tasks cut again.
CREATE OR REPLACE FUNCTION sg_provinces_refresh_task_areas() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_countries text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_countries := ARRAY(SELECT DISTINCT n.country_iso3 FROM new_provinces n);
  ELSIF TG_OP = 'DELETE' THEN
    v_countries := ARRAY(SELECT DISTINCT o.country_iso3 FROM old_provinces o);
  ELSE
    v_countries := ARRAY(
      SELECT DISTINCT c.iso3
        FROM old_provinces o JOIN new_provinces n ON n.code = o.code
       CROSS JOIN LATERAL (VALUES (o.country_iso3), (n.country_iso3)) AS c(iso3)
       WHERE o.country_iso3 <> n.country_iso3 OR NOT ST_OrderingEquals(o.geom, n.geom));
  END IF;
  PERFORM sg_rebuild_task_areas(v_countries);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER tasks_insert_areas AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tasks_refresh_areas();
CREATE OR REPLACE TRIGGER tasks_update_areas AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_tasks NEW TABLE AS new_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tasks_refresh_areas();
CREATE OR REPLACE TRIGGER tasks_delete_areas AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tasks_refresh_areas();
CREATE OR REPLACE TRIGGER tasks_truncate_areas AFTER TRUNCATE ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION sg_tasks_truncated();
CREATE OR REPLACE TRIGGER provinces_insert_task_areas AFTER INSERT ON provinces
  REFERENCING NEW TABLE AS new_provinces
  FOR EACH STATEMENT EXECUTE FUNCTION sg_provinces_refresh_task_areas();
CREATE OR REPLACE TRIGGER provinces_update_task_areas AFTER UPDATE ON provinces
  REFERENCING OLD TABLE AS old_provinces NEW TABLE AS new_provinces
  FOR EACH STATEMENT EXECUTE FUNCTION sg_provinces_refresh_task_areas();
CREATE OR REPLACE TRIGGER provinces_delete_task_areas AFTER DELETE ON provinces
  REFERENCING OLD TABLE AS old_provinces
  FOR EACH STATEMENT EXECUTE FUNCTION sg_provinces_refresh_task_areas();

-- A database whose tasks predate the stored figures gets them here, once: from then on every
-- write keeps them.
SELECT sg_rebuild_task_areas(ARRAY(
  SELECT DISTINCT t.country_iso3 FROM tasks t
   WHERE sg_task_counted(t.status) AND NOT EXISTS (SELECT 1 FROM task_area_pieces p WHERE p.task_id = t.id)));
