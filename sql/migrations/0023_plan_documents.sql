-- A plan's schedule is always read whole (the plan, its CSV, the tasks it proposes) and never
-- queried entry by entry, while a plan of decades holds about 100,000 entries: as rows they made
-- storing the slowest step of computing a plan, and reading them back its largest use of memory.
-- The schedule now lives on the plan as two documents:
--  * schedule: the schedule exactly as GET /plans/{id} shows it, a JSON array;
--  * entries: one JSON object per line and entry, with the area it releases on each hazard of
--    each package (hazard_ids, package_ids and hazard_area_m2 run in parallel).
-- The app writes them gzip-compressed (a sixth of the size, compressed off its event loop), so
-- PostgreSQL stores them as they come (STORAGE EXTERNAL: no second compression). The plans
-- converted below hold the plain UTF-8 text; readers tell the two apart by gzip's first two
-- bytes, which no JSON text starts with.
ALTER TABLE plans ADD COLUMN schedule bytea, ADD COLUMN entries bytea;
ALTER TABLE plans ALTER COLUMN schedule SET STORAGE EXTERNAL, ALTER COLUMN entries SET STORAGE EXTERNAL;

-- The package outlines (the map's view of a plan) are drawn when they are first asked for, not
-- while the user waits for the plan; this says they are there.
ALTER TABLE plans ADD COLUMN packages_outlined boolean NOT NULL DEFAULT false;

WITH entry AS (
  SELECT e.*,
         (SELECT json_agg(u.id ORDER BY u.first)
            FROM (SELECT id, min(n) AS first FROM unnest(e.hazard_ids) WITH ORDINALITY AS x(id, n) GROUP BY id) u
         ) AS distinct_hazards
    FROM plan_entries e
),
documents AS (
  SELECT plan_id,
         json_agg(json_build_object('team_id', team_id, 'hazard_ids', distinct_hazards, 'method', method,
                                    'start_on', start_on, 'end_on', end_on, 'working_days', working_days,
                                    'area_m2', area_m2) ORDER BY ordinal)::text AS schedule,
         string_agg(json_build_object('team_id', team_id, 'method', method, 'start_on', start_on,
                                      'end_on', end_on, 'working_days', working_days, 'area_m2', area_m2,
                                      'hazard_ids', hazard_ids, 'package_ids', package_ids,
                                      'hazard_area_m2', hazard_area_m2)::text, E'\n' ORDER BY ordinal) AS entries
    FROM entry
   GROUP BY plan_id
)
UPDATE plans p
   SET schedule = convert_to(coalesce((SELECT d.schedule FROM documents d WHERE d.plan_id = p.id), '[]'), 'UTF8'),
       entries = convert_to(coalesce((SELECT d.entries FROM documents d WHERE d.plan_id = p.id), ''), 'UTF8'),
       packages_outlined = true
 WHERE p.status = 'ready';

ALTER TABLE plans ADD CONSTRAINT plans_ready_schedule CHECK (status <> 'ready' OR (schedule IS NOT NULL AND entries IS NOT NULL));
DROP TABLE plan_entries;
