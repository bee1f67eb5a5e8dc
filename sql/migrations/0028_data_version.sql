-- A version of the data tiles are drawn from, so that tile URLs can carry it and shared caches
-- (a CDN) can keep a tile forever: the same version, the same tile. It must change with every
-- committed change, be read in the same snapshot as the tile, and cost writers nothing they wait
-- on. A counter row updated by every write would make concurrent writers queue behind each other
-- (an import holds its transaction for minutes), so each data-changing statement instead adds a
-- row to data_changes, which writers only ever insert into. The version is the rows a snapshot
-- sees plus those already folded into data_version_base (sg_data_version, sg_fold_data_changes),
-- which only the folding touches.
CREATE TABLE data_version_base (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  changes bigint NOT NULL
);
INSERT INTO data_version_base (changes) VALUES (0);

CREATE TABLE data_changes (id bigserial PRIMARY KEY);

-- The statement-level trigger of every table tiles and figures are drawn from (0003_tiles.sql)
-- now also counts the change.
CREATE OR REPLACE FUNCTION sg_notify_data_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO data_changes DEFAULT VALUES;
  PERFORM pg_notify('sg_data_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
