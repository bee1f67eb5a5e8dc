-- Pending extension requests change a country's status, so a change to them must clear the
-- cached figures and tiles of every process, as changes to obligations do.
CREATE TRIGGER obligation_requests_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligation_requests
  FOR EACH STATEMENT EXECUTE FUNCTION sg_notify_data_changed();
