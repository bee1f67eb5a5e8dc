-- A hazard written by an import is audited by reference to the staged feature it came from
-- instead of a copy of it: the staged row already holds every attribute and the geometry, and
-- building a GeoJSON copy of each of 100,000 features was most of the commit's write step.
-- History and restore rebuild the snapshot from the staged row (sg_audit_after,
-- 0400_imports.sql), so a committed import's staged rows are part of the audit trail and are
-- never deleted.
ALTER TABLE audit_log
  ADD COLUMN import_id bigint,
  ADD COLUMN import_feature_index integer,
  ADD CONSTRAINT audit_log_import_feature_check CHECK ((import_id IS NULL) = (import_feature_index IS NULL));

-- A committed import stays, with its staged rows (deleting the import would cascade to them).
CREATE OR REPLACE FUNCTION sg_refuse_committed_import_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'import % is committed: its staged features are part of the audit trail and cannot be deleted', OLD.id
    USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER imports_committed_kept BEFORE DELETE ON imports
  FOR EACH ROW WHEN (OLD.status = 'committed') EXECUTE FUNCTION sg_refuse_committed_import_delete();

-- Staged rows of a committed import are neither deleted nor changed. Checked once per statement
-- over the rows it touched, so that deleting a dry run's 100,000 uncommitted rows stays one cheap
-- statement.
CREATE OR REPLACE FUNCTION sg_refuse_committed_staging_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_import bigint;
BEGIN
  SELECT i.id INTO v_import FROM imports i WHERE i.status = 'committed' AND i.id IN (SELECT import_id FROM touched) LIMIT 1;
  IF v_import IS NOT NULL THEN
    RAISE EXCEPTION 'import % is committed: its staged features are part of the audit trail and cannot be %d',
      v_import, lower(TG_OP) USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER import_features_committed_kept_delete AFTER DELETE ON import_features
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION sg_refuse_committed_staging_change();
CREATE TRIGGER import_features_committed_kept_update AFTER UPDATE ON import_features
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION sg_refuse_committed_staging_change();

-- TRUNCATE skips row and statement DELETE triggers: it is refused while the audit log still
-- refers to staged rows (truncate audit_log first, in its own statement, to empty both).
CREATE OR REPLACE FUNCTION sg_refuse_referenced_staging_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_log WHERE import_id IS NOT NULL) THEN
    RAISE EXCEPTION 'the audit log refers to staged import features; truncate audit_log first'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER import_features_referenced_kept BEFORE TRUNCATE ON import_features
  FOR EACH STATEMENT EXECUTE FUNCTION sg_refuse_referenced_staging_truncate();
