-- Safeground initial schema: reference geography, organisations and users, the land-release
-- ledger (hazards, releases), treaty obligations, reported figures, audit log, and the tables the
-- remaining-area engine maintains incrementally (overlap clusters and their yearly contributions).

CREATE EXTENSION IF NOT EXISTS postgis;

-- Vocabulary (IMAS 04.10 / 07.11, GICHD Minimum Data Requirements) -------------------------------
CREATE TYPE hazard_classification AS ENUM ('SHA', 'CHA');
CREATE TYPE contamination_type AS ENUM ('ap_mines', 'av_mines', 'cmr', 'erw', 'ied');
CREATE TYPE hazard_status AS ENUM ('open', 'closed', 'handed_over');
CREATE TYPE release_method AS ENUM ('cancelled', 'reduced', 'cleared');
CREATE TYPE release_status AS ENUM ('submitted', 'approved', 'rejected');
CREATE TYPE organisation_kind AS ENUM ('national_authority', 'operator', 'donor', 'other');
CREATE TYPE user_role AS ENUM ('admin', 'national_authority', 'operator', 'donor', 'viewer');
CREATE TYPE treaty AS ENUM ('CCM', 'APMBC');
-- declared_completed_then_new_contamination: completion was declared, then new contamination was
-- found and the obligation is live again (APMBC practice, e.g. Guinea-Bissau, Mauritania, Nigeria).
CREATE TYPE obligation_status AS ENUM ('in_progress', 'completed', 'not_applicable', 'declared_completed_then_new_contamination');
CREATE TYPE source_confidence AS ENUM ('verified', 'recalled');
CREATE TYPE figure_contamination AS ENUM ('ap_mines', 'cmr', 'erw', 'all');

-- Which geodata files are loaded, so that loading is idempotent. --------------------------------
CREATE TABLE geodata_versions (
  dataset     text PRIMARY KEY,
  version     text NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now()
);

-- Reference geography ---------------------------------------------------------------------------
CREATE TABLE countries (
  iso3        char(3) PRIMARY KEY CHECK (iso3 ~ '^[A-Z]{3}$'),
  name        text NOT NULL,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX countries_geom_idx ON countries USING gist (geom);

CREATE TABLE provinces (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}-[A-Z0-9-]{1,8}$'),
  country_iso3 char(3) NOT NULL REFERENCES countries (iso3),
  name        text NOT NULL,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX provinces_geom_idx ON provinces USING gist (geom);
CREATE INDEX provinces_country_idx ON provinces (country_iso3);

-- Organisations and users -----------------------------------------------------------------------
CREATE TABLE organisations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
  kind        organisation_kind NOT NULL,
  country_iso3 char(3) REFERENCES countries (iso3),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email           text NOT NULL,
  password_hash   text NOT NULL,
  role            user_role NOT NULL,
  country_iso3    char(3) REFERENCES countries (iso3),
  organisation_id bigint REFERENCES organisations (id),
  disabled_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- A national authority acts for exactly one country; an operator for exactly one organisation.
  CHECK (role <> 'national_authority' OR country_iso3 IS NOT NULL),
  CHECK (role <> 'operator' OR organisation_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

-- Cookie sessions and bearer tokens are random secrets; only their SHA-256 is stored.
CREATE TABLE sessions (
  id_hash     bytea PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_hash   bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- The land-release ledger -----------------------------------------------------------------------
CREATE TABLE hazards (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3    char(3) NOT NULL REFERENCES countries (iso3),
  classification  hazard_classification NOT NULL,
  contamination   contamination_type[] NOT NULL CHECK (cardinality(contamination) BETWEEN 1 AND 5),
  status          hazard_status NOT NULL DEFAULT 'open',
  recorded_on     date NOT NULL,
  external_ref    text,
  name            text,
  geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  area_m2         double precision NOT NULL CHECK (area_m2 > 0),
  -- Current remaining geometry: geom minus the union of its approved releases.
  remaining_geom  geometry(MultiPolygon, 4326) CHECK (remaining_geom IS NULL OR ST_IsValid(remaining_geom)),
  remaining_m2    double precision NOT NULL CHECK (remaining_m2 >= 0),
  -- Overlap cluster (connected component of intersecting hazards), maintained by the engine.
  cluster_id      bigint,
  -- Why the stored geometry differs from what was submitted (repairs), kept for data quality.
  warnings        text[] NOT NULL DEFAULT '{}',
  synthetic       boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz,
  CHECK (remaining_m2 <= area_m2 * (1 + 1e-9))
);
CREATE INDEX hazards_geom_idx ON hazards USING gist (geom);
CREATE INDEX hazards_country_idx ON hazards (country_iso3, id) WHERE deleted_at IS NULL;
CREATE INDEX hazards_cluster_idx ON hazards (cluster_id);
CREATE UNIQUE INDEX hazards_external_ref_idx ON hazards (country_iso3, external_ref)
  WHERE external_ref IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE land_releases (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hazard_id       bigint NOT NULL REFERENCES hazards (id),
  method          release_method NOT NULL,
  start_on        date,
  completed_on    date NOT NULL,
  organisation_id bigint REFERENCES organisations (id),
  devices         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(devices) = 'object'),
  status          release_status NOT NULL,
  reject_reason   text,
  -- geom is the submitted polygon clipped to the hazard; clipped_m2 is what fell outside.
  geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  area_m2         double precision NOT NULL CHECK (area_m2 > 0),
  clipped_m2      double precision NOT NULL DEFAULT 0 CHECK (clipped_m2 >= 0),
  external_ref    text,
  warnings        text[] NOT NULL DEFAULT '{}',
  synthetic       boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by      bigint REFERENCES users (id),
  reviewed_by     bigint REFERENCES users (id),
  reviewed_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (start_on IS NULL OR start_on <= completed_on),
  CHECK (status <> 'rejected' OR length(trim(coalesce(reject_reason, ''))) > 0)
);
CREATE INDEX land_releases_hazard_idx ON land_releases (hazard_id, completed_on) WHERE status = 'approved';
CREATE INDEX land_releases_list_idx ON land_releases (id, hazard_id);
CREATE INDEX land_releases_geom_idx ON land_releases USING gist (geom);

-- Treaty obligations and nationally reported figures ---------------------------------------------
CREATE TABLE obligations (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3      char(3) NOT NULL REFERENCES countries (iso3),
  treaty            treaty NOT NULL,
  article           smallint NOT NULL CHECK (article > 0),
  entry_into_force  date NOT NULL,
  original_deadline date NOT NULL,
  -- NULL when no source confirms the deadline now in force (e.g. a grant seen without its date).
  current_deadline  date,
  status            obligation_status NOT NULL,
  -- Precision varies in the sources: YYYY, YYYY-MM or YYYY-MM-DD.
  completed_on      text CHECK (completed_on ~ '^\d{4}(-\d{2}(-\d{2})?)?$'),
  source            text NOT NULL,
  confidence        source_confidence NOT NULL,
  UNIQUE (country_iso3, treaty),
  CHECK (original_deadline > entry_into_force),
  CHECK (current_deadline IS NULL OR current_deadline >= original_deadline)
);

CREATE TABLE obligation_extensions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  obligation_id bigint NOT NULL REFERENCES obligations (id) ON DELETE CASCADE,
  meeting       text NOT NULL,
  new_deadline  date NOT NULL,
  granted_on    date,
  source        text,
  UNIQUE (obligation_id, new_deadline)
);

CREATE TABLE reported_figures (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3   char(3) NOT NULL REFERENCES countries (iso3),
  year           smallint NOT NULL CHECK (year BETWEEN 1990 AND 2100),
  contamination  figure_contamination NOT NULL,
  -- NULL means "not reported separately", never zero.
  remaining_km2  numeric CHECK (remaining_km2 >= 0),
  cancelled_km2  numeric CHECK (cancelled_km2 >= 0),
  reduced_km2    numeric CHECK (reduced_km2 >= 0),
  cleared_km2    numeric CHECK (cleared_km2 >= 0),
  source         text NOT NULL,
  confidence     source_confidence NOT NULL,
  UNIQUE (country_iso3, year, contamination, source)
);

-- Audit log: one row per write, inside the write's transaction. ---------------------------------
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint REFERENCES users (id),
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text NOT NULL,
  before      jsonb,
  after       jsonb,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);

-- Remaining-area engine state -------------------------------------------------------------------
-- A cluster is a connected component of intersecting hazard geometries within one country. Since
-- a hazard's remaining geometry lies inside its geometry, hazards in different clusters never
-- overlap, so a country's union area is the sum of its clusters' union areas and a write only
-- needs to re-dissolve the clusters it touches.
CREATE TABLE area_clusters (
  id           bigint PRIMARY KEY,
  country_iso3 char(3) NOT NULL REFERENCES countries (iso3)
);
CREATE SEQUENCE area_cluster_ids;

-- Each cluster's effect on each day something happens to it, per dimension. A dimension is 'all',
-- a contamination type ('contamination', 'cmr') or a province ('province', 'LA-XI'). On a day,
-- found is the union area added by hazards recorded that day; releases completed that day then
-- remove area in the land-release order cancelled -> reduced -> cleared, so that for every day
--   remaining(end of D) = remaining(end of the day before) + found - cancelled - reduced - cleared
-- holds exactly, overlaps are never counted twice, and any date can be asked about.
CREATE TABLE area_cluster_days (
  cluster_id   bigint NOT NULL REFERENCES area_clusters (id) ON DELETE CASCADE,
  day          date NOT NULL,
  dim_kind     text NOT NULL CHECK (dim_kind IN ('all', 'contamination', 'province')),
  dim_key      text NOT NULL,
  found_m2     double precision NOT NULL,
  cancelled_m2 double precision NOT NULL,
  reduced_m2   double precision NOT NULL,
  cleared_m2   double precision NOT NULL,
  PRIMARY KEY (cluster_id, day, dim_kind, dim_key)
);

-- Sum of area_cluster_days over a country's clusters, kept by adding and subtracting deltas.
CREATE TABLE area_country_days (
  country_iso3 char(3) NOT NULL REFERENCES countries (iso3),
  day          date NOT NULL,
  dim_kind     text NOT NULL CHECK (dim_kind IN ('all', 'contamination', 'province')),
  dim_key      text NOT NULL,
  found_m2     double precision NOT NULL,
  cancelled_m2 double precision NOT NULL,
  reduced_m2   double precision NOT NULL,
  cleared_m2   double precision NOT NULL,
  PRIMARY KEY (country_iso3, dim_kind, dim_key, day)
);
