-- Deployment planning: operators' teams (assets), the task a team works on, and the national
-- authority's priority class per hazard.

-- The team types mine action distinguishes: manual clearance, mechanical, mine detection dogs,
-- non-technical survey, technical survey, and explosive ordnance disposal / battle-area clearance.
CREATE TYPE team_type AS ENUM ('manual_clearance', 'mechanical', 'mdd', 'nts', 'ts', 'eod');

CREATE TABLE teams (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id       bigint NOT NULL REFERENCES organisations (id),
  country_iso3          char(3) NOT NULL REFERENCES countries (iso3),
  name                  text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 120),
  type                  team_type NOT NULL,
  -- People in the team: productivity is measured per team-day, the size is shown beside it.
  size                  smallint NOT NULL CHECK (size BETWEEN 1 AND 500),
  base                  geometry(Point, 4326) NOT NULL,
  -- A team working d days a week works the first d days of the ISO week (Monday first).
  working_days_per_week smallint NOT NULL CHECK (working_days_per_week BETWEEN 1 AND 7),
  -- Yearly periods without work, such as the rainy season: [{"from": "MM-DD", "to": "MM-DD"}],
  -- a period whose end comes before its start runs over the new year.
  stand_downs           jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(stand_downs) = 'array'),
  active_from           date NOT NULL,
  active_to             date,
  -- What one team-month costs in USD, where the operator states it; used to price additions.
  monthly_cost_usd      numeric(14, 2) CHECK (monthly_cost_usd IS NULL OR monthly_cost_usd > 0),
  version               integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by            bigint REFERENCES users (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  deleted_at            timestamptz,
  CHECK (active_to IS NULL OR active_to >= active_from)
);
CREATE INDEX teams_country_idx ON teams (country_iso3, id) WHERE deleted_at IS NULL;
CREATE INDEX teams_organisation_idx ON teams (organisation_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX teams_name_idx ON teams (organisation_id, country_iso3, name) WHERE deleted_at IS NULL;

-- The team that works a task, when the operator names one of its recorded teams. Productivity is
-- measured through it: a release of a task whose team is known counts for that team's type.
ALTER TABLE tasks ADD COLUMN team_id bigint REFERENCES teams (id);
CREATE INDEX tasks_team_idx ON tasks (team_id) WHERE team_id IS NOT NULL;

-- The authority's priority class: 1 is the most urgent, 5 the least; NULL when not yet assessed.
ALTER TABLE hazards ADD COLUMN priority smallint CHECK (priority IS NULL OR priority BETWEEN 1 AND 5);
