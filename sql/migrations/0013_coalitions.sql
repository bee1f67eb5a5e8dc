-- Country coalitions: organisations as first-class records, grants from donors to the
-- organisations that implement them, the yearly exchange rates that turn grant amounts into USD,
-- and operators' tasks on hazards, paid for by shares of grants. Releases may name their task.

-- Organisations ----------------------------------------------------------------------------------
-- The kinds the mine action community uses. A donor was one kind; it is now a government or a
-- multilateral donor, and existing donors are governments until an admin says otherwise.
ALTER TYPE organisation_kind RENAME VALUE 'donor' TO 'donor_government';
ALTER TYPE organisation_kind ADD VALUE 'donor_multilateral' AFTER 'donor_government';
ALTER TYPE organisation_kind ADD VALUE 'un_agency' AFTER 'donor_multilateral';
ALTER TYPE organisation_kind ADD VALUE 'ngo' AFTER 'un_agency';

ALTER TABLE organisations
  ADD COLUMN acronym    text CHECK (acronym IS NULL OR length(trim(acronym)) BETWEEN 1 AND 32),
  -- The IATI organisation identifier: a registration agency prefix and the number it gives,
  -- e.g. GB-GOV-1 or XM-DAC-41114. IATI forbids spaces and the characters / & | ? in it.
  ADD COLUMN iati_ref   text CHECK (iati_ref IS NULL OR iati_ref ~ '^[^\s/&|?]+-[^\s/&|?]+$'),
  ADD COLUMN version    integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX organisations_iati_ref_idx ON organisations (iati_ref) WHERE iati_ref IS NOT NULL;

-- A donor user acts for exactly one organisation, as an operator does. A donor account created
-- before this rule gets an organisation of its own, named after the account, for an admin to
-- rename.
INSERT INTO organisations (name, kind)
SELECT 'Donor account ' || u.email, 'donor_government'
  FROM users u
 WHERE u.role = 'donor' AND u.organisation_id IS NULL
ON CONFLICT (name) DO NOTHING;
UPDATE users u
   SET organisation_id = o.id
  FROM organisations o
 WHERE u.role = 'donor' AND u.organisation_id IS NULL AND o.name = 'Donor account ' || u.email;
ALTER TABLE users ADD CONSTRAINT users_donor_organisation_check CHECK (role <> 'donor' OR organisation_id IS NOT NULL);

-- Exchange rates ---------------------------------------------------------------------------------
-- What one unit of a currency was worth in USD over a year, as an admin recorded it with its
-- source. A grant amount converts at the rate of its year; a missing rate is reported missing,
-- never guessed. USD converts at 1 without a row.
CREATE TABLE exchange_rates (
  currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$' AND currency <> 'USD'),
  year          smallint NOT NULL CHECK (year BETWEEN 1990 AND 2100),
  usd_per_unit  numeric NOT NULL CHECK (usd_per_unit > 0),
  source        text NOT NULL CHECK (length(trim(source)) > 0),
  version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_by    bigint REFERENCES users (id),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (currency, year)
);

-- Grants -----------------------------------------------------------------------------------------
CREATE TYPE grant_status AS ENUM ('pledged', 'committed', 'disbursed');
-- coalition: only the country's authority, the donor, the recipient and admins see the detail;
-- everyone else sees the grant only inside aggregates.
CREATE TYPE grant_visibility AS ENUM ('public', 'coalition');
CREATE TYPE grant_transaction_type AS ENUM ('commitment', 'disbursement');

CREATE TABLE grants (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  donor_id        bigint NOT NULL REFERENCES organisations (id),
  recipient_id    bigint NOT NULL REFERENCES organisations (id),
  country_iso3    char(3) NOT NULL REFERENCES countries (iso3),
  -- In the grant's own currency (ISO 4217), as the agreement states it.
  amount          numeric(18, 2) NOT NULL CHECK (amount > 0),
  currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  start_on        date NOT NULL,
  end_on          date NOT NULL,
  status          grant_status NOT NULL,
  visibility      grant_visibility NOT NULL DEFAULT 'coalition',
  purpose         text NOT NULL DEFAULT '',
  -- The IATI activity identifier: the reporting organisation's identifier, a hyphen, its own code.
  iati_identifier text CHECK (iati_identifier IS NULL OR iati_identifier ~ '^[^\s/&|?]+-[^\s/&|?]+$'),
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz,
  CHECK (end_on >= start_on),
  CHECK (donor_id <> recipient_id)
);
CREATE INDEX grants_country_idx ON grants (country_iso3) WHERE deleted_at IS NULL;
CREATE INDEX grants_donor_idx ON grants (donor_id) WHERE deleted_at IS NULL;
CREATE INDEX grants_recipient_idx ON grants (recipient_id) WHERE deleted_at IS NULL;

-- Dated commitments and disbursements, in the grant's currency.
CREATE TABLE grant_transactions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grant_id         bigint NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  type             grant_transaction_type NOT NULL,
  transaction_date date NOT NULL,
  amount           numeric(18, 2) NOT NULL CHECK (amount > 0)
);
CREATE INDEX grant_transactions_grant_idx ON grant_transactions (grant_id, transaction_date);

-- Tasks ------------------------------------------------------------------------------------------
-- An operator's assignment on one or more hazards, in IMSMA's sense.
CREATE TYPE task_method AS ENUM ('non_technical_survey', 'technical_survey', 'clearance', 'eod_spot_task');
-- proposed → approved or rejected by the country's authority; approved → ongoing → completed,
-- with suspended and cancelled on the way.
CREATE TYPE task_status AS ENUM ('proposed', 'rejected', 'approved', 'ongoing', 'suspended', 'completed', 'cancelled');

CREATE TABLE tasks (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3    char(3) NOT NULL REFERENCES countries (iso3),
  organisation_id bigint NOT NULL REFERENCES organisations (id),
  method          task_method NOT NULL,
  team            text,
  planned_start   date NOT NULL,
  planned_end     date NOT NULL,
  actual_start    date,
  actual_end      date,
  status          task_status NOT NULL DEFAULT 'proposed',
  -- The work polygon the operator drew inside its hazards, if any.
  work_geom       geometry(MultiPolygon, 4326) CHECK (work_geom IS NULL OR (ST_IsValid(work_geom) AND NOT ST_IsEmpty(work_geom))),
  -- Where the task works: the work polygon, else the union of its hazards. Overlaps and tiles use it.
  geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  area_m2         double precision NOT NULL CHECK (area_m2 > 0),
  -- Overlaps the proposer was shown and chose to go ahead with.
  acknowledged_overlaps jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(acknowledged_overlaps) = 'array'),
  decision_reason text,
  decided_by      bigint REFERENCES users (id),
  decided_at      timestamptz,
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (planned_end >= planned_start),
  CHECK (actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start),
  CHECK (status <> 'rejected' OR length(trim(coalesce(decision_reason, ''))) > 0)
);
CREATE INDEX tasks_geom_idx ON tasks USING gist (geom);
CREATE INDEX tasks_country_idx ON tasks (country_iso3, status);
CREATE INDEX tasks_organisation_idx ON tasks (organisation_id);

CREATE TABLE task_hazards (
  task_id   bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  hazard_id bigint NOT NULL REFERENCES hazards (id),
  PRIMARY KEY (task_id, hazard_id)
);
CREATE INDEX task_hazards_hazard_idx ON task_hazards (hazard_id);

-- Which grants pay for a task, as fractions that sum to 1. No row: unfunded or self-funded work,
-- whose releases are unattributed.
CREATE TABLE task_funding (
  task_id  bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  grant_id bigint NOT NULL REFERENCES grants (id),
  share    numeric(7, 6) NOT NULL CHECK (share > 0 AND share <= 1),
  PRIMARY KEY (task_id, grant_id)
);
CREATE INDEX task_funding_grant_idx ON task_funding (grant_id);

ALTER TABLE land_releases ADD COLUMN task_id bigint REFERENCES tasks (id);
CREATE INDEX land_releases_task_idx ON land_releases (task_id) WHERE task_id IS NOT NULL;
