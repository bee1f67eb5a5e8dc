-- Stored overlap candidates and the parts of active tasks, so that a country's overlap report
-- reads rows instead of applying the overlap rule to thousands of active tasks on every request.
--
-- For every active task (sg_task_active): one row per active task of another organisation whose
-- area overlaps its own with more than 0 m² in overlapping dates (stored in both directions), and
-- one row (other_task_id NULL) for the land already released under it, 0 m² when there is none.
-- Rows hold what sg_task_conflict_candidates (sql/functions/0710_tasks.sql) finds, before the
-- significance limits: those come from the configuration and are applied when the report is read.
--
-- Triggers keep the rows current inside every writing transaction: a task written (at commit), a
-- release written (its geometry, status, completion day, task or hazard), a hazard deleted or
-- restored. A task's rows are recomputed whole at commit, so releases written after it in the
-- same transaction are seen.
-- They call sg_task_conflicts_changed_* (0710_tasks.sql), bound when they fire: a statement that
-- changes no row calls nothing, so later migrations run before those functions exist. The rows of
-- existing tasks are filled at the end of 0710_tasks.sql.
CREATE TABLE task_conflict_candidates (
  task_id       bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  other_task_id bigint REFERENCES tasks (id) ON DELETE CASCADE,
  overlap_m2    double precision NOT NULL CHECK (overlap_m2 >= 0),
  -- The other task's area, or the area of the union of the releases touching the task.
  other_m2      double precision NOT NULL CHECK (other_m2 >= 0),
  release_ids   bigint[]
);
CREATE UNIQUE INDEX task_conflict_candidates_pair_idx ON task_conflict_candidates (task_id, other_task_id)
  WHERE other_task_id IS NOT NULL;
CREATE UNIQUE INDEX task_conflict_candidates_released_idx ON task_conflict_candidates (task_id)
  WHERE other_task_id IS NULL;
CREATE INDEX task_conflict_candidates_other_idx ON task_conflict_candidates (other_task_id)
  WHERE other_task_id IS NOT NULL;

-- The polygons of each active task, one row each, for overlap detection to probe: a task on
-- hazards far apart spans a box holding thousands of others, and testing each of them against
-- its whole geometry made every probe near it slow.
CREATE TABLE task_parts (
  task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  geom    geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX task_parts_task_idx ON task_parts (task_id);
CREATE INDEX task_parts_geom_idx ON task_parts USING gist (geom);

-- A task written: at commit (a deferred row trigger), so that a dry run, which writes the task to
-- show it and rolls back, does not pay for it.
CREATE FUNCTION sg_task_conflicts_task_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR (OLD.geom, OLD.area_m2, OLD.organisation_id, OLD.planned_start, OLD.planned_end, OLD.status)
        IS DISTINCT FROM (NEW.geom, NEW.area_m2, NEW.organisation_id, NEW.planned_start, NEW.planned_end, NEW.status) THEN
    PERFORM sg_task_conflicts_changed_tasks(ARRAY[NEW.id]);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION sg_task_conflicts_releases_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sg_task_conflicts_changed_land(array_agg(n.hazard_id), array_agg(n.geom)) FROM new_rows n HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sg_task_conflicts_changed_land(array_agg(o.hazard_id), array_agg(o.geom)) FROM old_rows o HAVING count(*) > 0;
  ELSE
    PERFORM sg_task_conflicts_changed_land(array_agg(x.hazard_id), array_agg(x.geom))
       FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (o.hazard_id, o.geom), (n.hazard_id, n.geom)) x (hazard_id, geom)
      WHERE (o.geom, o.status, o.completed_on, o.task_id, o.hazard_id)
            IS DISTINCT FROM (n.geom, n.status, n.completed_on, n.task_id, n.hazard_id)
     HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END
$$;

-- A hazard deleted or restored takes its releases out of, or back into, the released land. A row
-- trigger limited by its WHEN clause: the area engine rewrites hazards by the hundred thousand, and
-- transition tables would copy every one of them.
CREATE FUNCTION sg_task_conflicts_hazard_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_task_conflicts_changed_land(array_agg(l.hazard_id), array_agg(l.geom))
     FROM land_releases l WHERE l.hazard_id = NEW.id
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;

-- Without releases no task has released land under it.
CREATE FUNCTION sg_task_conflicts_releases_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_conflict_candidates SET overlap_m2 = 0, other_m2 = 0, release_ids = NULL WHERE other_task_id IS NULL;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER tasks_conflicts_written AFTER INSERT OR UPDATE ON tasks DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION sg_task_conflicts_task_written();
CREATE TRIGGER land_releases_conflicts_inserted AFTER INSERT ON land_releases REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_task_conflicts_releases_written();
CREATE TRIGGER land_releases_conflicts_updated AFTER UPDATE ON land_releases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_task_conflicts_releases_written();
CREATE TRIGGER land_releases_conflicts_deleted AFTER DELETE ON land_releases REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sg_task_conflicts_releases_written();
CREATE TRIGGER land_releases_conflicts_truncated AFTER TRUNCATE ON land_releases
  FOR EACH STATEMENT EXECUTE FUNCTION sg_task_conflicts_releases_truncated();
CREATE TRIGGER hazards_conflicts_deleted AFTER UPDATE OF deleted_at ON hazards
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at) EXECUTE FUNCTION sg_task_conflicts_hazard_deleted();
