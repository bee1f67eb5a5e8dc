-- Imports of releases (completion reports collected with KoboToolbox or ODK) go through the same
-- dry run, report and commit as imports of hazards: an import says which it holds, and its staged
-- features carry a release's fields instead of a hazard's. An import of releases may credit them
-- to an operator organisation (an operator's own imports always do), which also lets that
-- operator's users follow it.
ALTER TABLE imports
  ADD COLUMN kind text NOT NULL DEFAULT 'hazards' CHECK (kind IN ('hazards', 'releases')),
  ADD COLUMN organisation_id bigint REFERENCES organisations (id);

ALTER TABLE import_features
  ADD COLUMN hazard_id bigint REFERENCES hazards (id),
  ADD COLUMN method release_method,
  ADD COLUMN start_on date,
  ADD COLUMN completed_on date,
  ADD COLUMN devices jsonb,
  ADD COLUMN clipped_m2 double precision,
  -- A submission imported before (same external_ref in the country): the commit leaves it alone.
  ADD COLUMN existing_release_id bigint REFERENCES land_releases (id);

ALTER TABLE import_features DROP CONSTRAINT import_features_check;
ALTER TABLE import_features ADD CONSTRAINT import_features_check CHECK (
  outcome = 'rejected'
  OR (geom IS NOT NULL AND classification IS NOT NULL AND recorded_on IS NOT NULL)
  OR (geom IS NOT NULL AND hazard_id IS NOT NULL AND method IS NOT NULL AND completed_on IS NOT NULL AND devices IS NOT NULL)
  OR existing_release_id IS NOT NULL
);

-- The hazard's version the dry run checked the release against: a commit refuses a release whose
-- hazard changed (or was deleted) since.
ALTER TABLE import_features ADD COLUMN hazard_version integer;

-- Finds a submission imported before by its reference (its instance id).
CREATE INDEX land_releases_external_ref_idx ON land_releases (external_ref) WHERE external_ref IS NOT NULL;
