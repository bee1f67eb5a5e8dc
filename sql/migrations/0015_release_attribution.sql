-- The attribution rule's results, kept up to date inside every writing transaction, so that donor
-- summaries, the coalition page and the IATI export read figures instead of recomputing unions of
-- thousands of releases on each request. The rule itself and the refresh are in
-- sql/functions/0720_attribution.sql; this file holds the tables and the triggers that find out
-- which releases a write touched.

-- The rule computed on the spot, replaced by sg_attribution_count and the stored results.
DROP FUNCTION IF EXISTS sg_attributed_releases(bigint[], char, int, int, boolean);

-- Who counts as one funder under the rule:
--   donor        a donor, its share of a task the sum of its live grants' shares on it;
--   donor_public the same over its public grants only (what readers outside the coalition see);
--   grant        one grant, its share its own;
--   pool         every grant as one funder (funder_id 0): the land released with any grant's money;
--   unattributed releases without a task or under a task no live grant funds (funder_id 0).
CREATE TYPE funder_kind AS ENUM ('donor', 'donor_public', 'grant', 'pool', 'unattributed');

-- One row per funder kind, funder and approved release it counts (sg_attribution_count).
-- No foreign key to land_releases: a deleted release's rows go at the refresh that follows, and
-- land_releases can still be truncated (the truncate trigger below empties this table with it).
CREATE TABLE release_attribution (
  funder_kind  funder_kind NOT NULL,
  funder_id    bigint NOT NULL,
  country_iso3 char(3) NOT NULL,
  year         integer NOT NULL,
  release_id   bigint NOT NULL,
  task_id      bigint,
  -- The organisation of the release's task (the operator the land is credited to).
  organisation_id bigint,
  method       release_method NOT NULL,
  completed_on date NOT NULL,
  share        numeric,
  area_m2      double precision NOT NULL,
  counted_m2   double precision NOT NULL,
  synthetic    boolean NOT NULL,
  PRIMARY KEY (funder_kind, funder_id, country_iso3, year, release_id)
);
CREATE INDEX release_attribution_release_idx ON release_attribution (release_id);

-- Releases a write touched in the current transaction, with the geometry they had (before and
-- after a change), so that the refresh also reaches the releases they overlapped.
CREATE TABLE attribution_dirty (
  release_id bigint NOT NULL,
  geom       geometry
);

-- One row per writing transaction that touched attribution, whose deferred trigger runs the refresh
-- once, just before that transaction commits.
CREATE TABLE attribution_pending (
  xid xid8 PRIMARY KEY
);

-- Records releases as touched (rows of release_id, geom) and arranges the refresh at commit.
CREATE OR REPLACE FUNCTION sg_attribution_touch(p_ids bigint[], p_geoms geometry[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_ids), 0) = 0 THEN RETURN; END IF;
  INSERT INTO attribution_dirty (release_id, geom) SELECT * FROM unnest(p_ids, p_geoms);
  INSERT INTO attribution_pending VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
END
$$;

-- land_releases: approved releases inserted or deleted, and releases whose approval, area, day,
-- method, task or hazard changed.
CREATE OR REPLACE FUNCTION sg_attribution_releases_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sg_attribution_touch(array_agg(n.id), array_agg(n.geom)) FROM new_rows n WHERE n.status = 'approved';
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sg_attribution_touch(array_agg(o.id), array_agg(o.geom)) FROM old_rows o WHERE o.status = 'approved';
  ELSE
    PERFORM sg_attribution_touch(array_agg(c.id), array_agg(c.geom))
       FROM (SELECT o.id, unnest(ARRAY[o.geom, n.geom]) AS geom
               FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.status = 'approved' OR n.status = 'approved')
                AND (o.status, o.completed_on, o.method, o.task_id, o.hazard_id, o.geom) IS DISTINCT FROM
                    (n.status, n.completed_on, n.method, n.task_id, n.hazard_id, n.geom)) c;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER land_releases_attribution_insert AFTER INSERT ON land_releases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_releases_changed();
CREATE TRIGGER land_releases_attribution_update AFTER UPDATE ON land_releases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_releases_changed();
CREATE TRIGGER land_releases_attribution_delete AFTER DELETE ON land_releases
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_releases_changed();

CREATE OR REPLACE FUNCTION sg_attribution_releases_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE release_attribution, attribution_dirty;
  RETURN NULL;
END
$$;
CREATE TRIGGER land_releases_attribution_truncate AFTER TRUNCATE ON land_releases
  FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_releases_truncated();

-- The approved releases under the given tasks, as touched.
CREATE OR REPLACE FUNCTION sg_attribution_touch_tasks(p_tasks bigint[]) RETURNS void
LANGUAGE sql AS $$
  SELECT sg_attribution_touch(array_agg(l.id), array_agg(l.geom))
    FROM land_releases l
   WHERE l.task_id = ANY(p_tasks) AND l.status = 'approved'
$$;

-- task_funding: a task's funders or shares changed.
CREATE OR REPLACE FUNCTION sg_attribution_funding_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sg_attribution_touch_tasks(array_agg(DISTINCT task_id)) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sg_attribution_touch_tasks(array_agg(DISTINCT task_id)) FROM old_rows;
  ELSE
    PERFORM sg_attribution_touch_tasks(array_agg(DISTINCT t))
       FROM (SELECT task_id AS t FROM old_rows UNION SELECT task_id FROM new_rows) c;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_funding_attribution_insert AFTER INSERT ON task_funding
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_funding_changed();
CREATE TRIGGER task_funding_attribution_update AFTER UPDATE ON task_funding
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_funding_changed();
CREATE TRIGGER task_funding_attribution_delete AFTER DELETE ON task_funding
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_funding_changed();

-- grants: a grant changed donor, visibility or country, or was deleted or restored.
CREATE OR REPLACE FUNCTION sg_attribution_grants_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_attribution_touch_tasks(array_agg(DISTINCT f.task_id))
     FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN task_funding f ON f.grant_id = o.id
    WHERE (o.donor_id, o.visibility, o.country_iso3, o.deleted_at IS NULL)
          IS DISTINCT FROM (n.donor_id, n.visibility, n.country_iso3, n.deleted_at IS NULL);
  RETURN NULL;
END
$$;
CREATE TRIGGER grants_attribution_update AFTER UPDATE ON grants
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_grants_changed();

-- hazards: a hazard was deleted or restored, or moved country; its approved releases count or not.
CREATE OR REPLACE FUNCTION sg_attribution_hazards_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_attribution_touch(array_agg(l.id), array_agg(l.geom))
     FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN land_releases l ON l.hazard_id = o.id AND l.status = 'approved'
    WHERE (o.country_iso3, o.deleted_at IS NULL) IS DISTINCT FROM (n.country_iso3, n.deleted_at IS NULL);
  RETURN NULL;
END
$$;
CREATE TRIGGER hazards_attribution_update AFTER UPDATE ON hazards
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_hazards_changed();

-- tasks: a task changed organisation; its releases are credited to another operator.
CREATE OR REPLACE FUNCTION sg_attribution_tasks_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_attribution_touch_tasks(array_agg(o.id))
     FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.organisation_id IS DISTINCT FROM n.organisation_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER tasks_attribution_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sg_attribution_tasks_changed();

-- At commit: the refresh (sg_attribution_flush, sql/functions/0720_attribution.sql).
CREATE OR REPLACE FUNCTION sg_attribution_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sg_attribution_flush();
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER attribution_pending_flush AFTER INSERT ON attribution_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sg_attribution_at_commit();

-- Releases already in the database are counted when sql/functions is applied after this migration
-- (0720_attribution.sql ends with a flush of whatever is left marked).
INSERT INTO attribution_dirty (release_id) SELECT id FROM land_releases WHERE status = 'approved';
