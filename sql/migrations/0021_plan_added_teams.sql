-- A scenario may add teams that are not fielded yet ("+4 dog teams"): their schedule entries
-- carry negative team ids, numbered within the plan, so they no longer reference teams.
ALTER TABLE plan_entries DROP CONSTRAINT plan_entries_team_id_fkey;
