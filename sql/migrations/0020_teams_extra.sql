-- An import stages each feature's priority class with its other attributes, so that the commit
-- writes it to the hazard (hazards.priority).
ALTER TABLE import_features ADD COLUMN priority smallint CHECK (priority IS NULL OR priority BETWEEN 1 AND 5);
