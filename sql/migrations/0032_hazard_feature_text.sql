-- Each hazard's GeoJSON Feature text as every reader who sees it exactly gets it (lists, OGC
-- items, the GeoJSON export's public form), kept in its row. Built per request, the texts were
-- most of the database's work in a stream: at a million hazards, 7.3 s of CPU for building them
-- against 3 s for reading the rows; read as stored, a whole stream takes a third of the time. A
-- reader who sees a restricted country in cells still gets those features built on the fly.
--
-- Kept by a trigger before every insert and update, whoever writes, so a stored text never lags
-- its row. The text is built by sg_hazard_stored_feature: here a stand-in that stores nothing,
-- replaced by the real builder in sql/functions/0610_feature_text.sql, so that hazards can be
-- written between this migration and the functions (NULL means not stored: readers build it).
-- Numbers are printed as float8out prints them, which extra_float_digits changes: pinned to the
-- default, whatever the writing session set.
ALTER TABLE hazards ADD COLUMN feature_text text;

-- Hazards whose text is not stored yet, for the functions to fill when they are applied.
CREATE INDEX hazards_feature_text_missing_idx ON hazards (id) WHERE feature_text IS NULL;

CREATE FUNCTION sg_hazard_stored_feature(h hazards) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT NULL::text $$;

CREATE FUNCTION sg_hazard_feature_text_kept() RETURNS trigger
LANGUAGE plpgsql SET extra_float_digits = 1 AS $$
BEGIN
  NEW.feature_text := sg_hazard_stored_feature(NEW);
  RETURN NEW;
END
$$;

CREATE TRIGGER hazards_feature_text BEFORE INSERT OR UPDATE ON hazards
  FOR EACH ROW EXECUTE FUNCTION sg_hazard_feature_text_kept();
