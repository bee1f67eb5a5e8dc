-- Deployment plans: a saved scenario (its inputs), computed in the background into a schedule of
-- team work per month, the work packages it worked through, and its summary figures.

CREATE TABLE plans (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_iso3    char(3) NOT NULL REFERENCES countries (iso3),
  name            text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
  -- The request as given (teams, start, scope, overrides, weights, travel radius), so a plan can
  -- be shown, compared and recomputed with exactly what it was made from.
  inputs          jsonb NOT NULL CHECK (jsonb_typeof(inputs) = 'object'),
  -- computing → ready | failed (error says why).
  status          text NOT NULL CHECK (status IN ('computing', 'ready', 'failed')),
  error           text,
  progress_done   integer NOT NULL DEFAULT 0,
  progress_total  integer,
  completion_on   date,
  lower_bound_on  date,
  gap_days        integer,
  deadline_on     date,
  -- Everything else the computation found: teams with their rates, productivity used, shares,
  -- weights, annual and burn-down figures, unscheduled work, cost.
  results         jsonb,
  created_by      bigint REFERENCES users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'failed' OR error IS NOT NULL),
  CHECK (status <> 'ready' OR results IS NOT NULL)
);
CREATE INDEX plans_country_idx ON plans (country_iso3, id);

-- A team's work in one month by one method. hazard_ids, package_ids and hazard_area_m2 run in
-- parallel: the area the entry releases on each hazard (of the package it belongs to).
CREATE TABLE plan_entries (
  plan_id         bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  ordinal         integer NOT NULL,
  team_id         bigint NOT NULL REFERENCES teams (id),
  method          release_method NOT NULL,
  start_on        date NOT NULL,
  end_on          date NOT NULL,
  working_days    integer NOT NULL CHECK (working_days >= 0),
  area_m2         double precision NOT NULL CHECK (area_m2 >= 0),
  hazard_ids      bigint[] NOT NULL,
  package_ids     integer[] NOT NULL,
  hazard_area_m2  double precision[] NOT NULL,
  PRIMARY KEY (plan_id, ordinal),
  CHECK (end_on >= start_on),
  CHECK (cardinality(hazard_ids) = cardinality(package_ids) AND cardinality(hazard_ids) = cardinality(hazard_area_m2))
);

-- Nearby hazards worked together, with when the plan works them; geom is the simplified union
-- of its hazards for the map, province_code the province it lies in. planned_year is the year its
-- work starts (NULL: not scheduled).
CREATE TABLE plan_packages (
  plan_id         bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  package_id      integer NOT NULL,
  rank            integer NOT NULL,
  score           double precision NOT NULL,
  hazard_ids      bigint[] NOT NULL,
  geom            geometry(MultiPolygon, 4326),
  province_code   text,
  start_on        date,
  end_on          date,
  planned_year    smallint,
  PRIMARY KEY (plan_id, package_id)
);
