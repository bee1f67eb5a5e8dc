-- Each hazard's GeoJSON Feature text as every reader who sees it exactly gets it (lists, OGC
-- items, the GeoJSON export's public form), kept in its row. Built per request, the texts were
-- most of the database's work in a stream: at a million hazards, 7.3 s of CPU for building them
-- against 3 s for reading the rows; read as stored, a whole stream takes a third of the time. A
-- reader who sees a restricted country in cells still gets those features built on the fly.
--
-- Kept by a trigger before every insert and update, whoever writes, so a stored text never lags
-- its row; the text itself is built by sg_hazard_stored_feature (sql/functions/0610), which the
-- trigger calls by name at run time. NULL means not stored: the readers then build it.
ALTER TABLE hazards ADD COLUMN feature_text text;

CREATE FUNCTION sg_hazard_feature_text_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.feature_text := sg_hazard_stored_feature(NEW);
  RETURN NEW;
END
$$;

CREATE TRIGGER hazards_feature_text BEFORE INSERT OR UPDATE ON hazards
  FOR EACH ROW EXECUTE FUNCTION sg_hazard_feature_text_kept();
