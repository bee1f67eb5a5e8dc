-- File imports: a dry run stages every feature of the file with its outcome, so the
-- per-feature report can be read and downloaded before anything touches the ledger; a commit then
-- moves the accepted features into hazards in one transaction.
-- (country_iso3, external_ref) is already unique among live hazards (hazards_external_ref_idx),
-- which is what makes a re-import update instead of duplicate.

CREATE TABLE imports (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3    char(3) NOT NULL REFERENCES countries (iso3),
  format          text NOT NULL,
  mapping         text NOT NULL,
  file_name       text,
  file_bytes      bigint NOT NULL DEFAULT 0,
  -- receiving → validating → ready → committing → committed; invalid (the file could not be read)
  -- and commit_failed (nothing was written; the commit may be retried) are the other ends.
  status          text NOT NULL CHECK (status IN ('receiving', 'validating', 'ready', 'invalid', 'committing', 'committed', 'commit_failed')),
  error           text,
  feature_count   integer NOT NULL DEFAULT 0,
  ok_count        integer NOT NULL DEFAULT 0,
  repaired_count  integer NOT NULL DEFAULT 0,
  rejected_count  integer NOT NULL DEFAULT 0,
  -- Progress of the running step (dry run: features read; commit: features written).
  progress_done   integer NOT NULL DEFAULT 0,
  progress_total  integer,
  inserted_count  integer,
  updated_count   integer,
  unchanged_count integer,
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  committed_at    timestamptz
);
CREATE INDEX imports_country_idx ON imports (country_iso3, id);

CREATE TABLE import_features (
  import_id       bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  -- 1-based position of the feature in the file (across layers, in reading order).
  feature_index   integer NOT NULL CHECK (feature_index >= 1),
  external_ref    text,
  outcome         text NOT NULL CHECK (outcome IN ('ok', 'repaired', 'rejected')),
  reason          text,
  classification  hazard_classification,
  contamination   contamination_type[],
  status          hazard_status,
  recorded_on     date,
  name            text,
  geom            geometry(MultiPolygon, 4326),
  area_m2         double precision,
  warnings        text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (import_id, feature_index),
  CHECK (outcome = 'rejected' OR (geom IS NOT NULL AND classification IS NOT NULL AND recorded_on IS NOT NULL))
);
