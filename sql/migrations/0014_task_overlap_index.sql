-- Overlap detection looks only at the tasks that claim their ground (sg_task_active: proposed,
-- approved, ongoing, suspended). Most of a country's tasks are finished ones, and a probe of the
-- spatial index over every task went through thousands of them to find a few active neighbours.
CREATE INDEX tasks_active_geom_idx ON tasks USING gist (geom)
  WHERE status IN ('proposed', 'approved', 'ongoing', 'suspended');
