-- Attribution: which land released with whose money, and what it cost. The rule, stated in
-- server/src/coalitions/attribution.rule.ts (and through it in the OpenAPI document):
--
-- A funder's released area in a year and country counts each approved release completed that year
-- under a task it funds, weighted by the funder's share of that task (the sum of the shares of its
-- grants on the task). Land is counted once: where releases of the same funder overlap, each point
-- of the overlap belongs to ONE of them, the one first in this order:
--   1. the larger share of the funder (land released under two tasks of one donor counts once, at
--      the larger share);
--   2. the earlier completion day, then cancelled before reduced before cleared (the order the
--      area engine takes land off on one day), then the smaller release id.
-- A release's counted_m2 is its geodesic area minus the parts owned by releases before it, and
-- attributed_m2 = counted_m2 x share. So a funder's total is the area of the union of its releases,
-- each point weighted by the largest share it holds in a task that released that point, and the
-- figures by method or by release add up to it exactly. Different funders are counted apart: land
-- two donors' tasks both released counts for each, at each one's share.
-- Releases with no task, or under a task no grant funds, are unattributed (funder_kind unattributed,
-- funder 0, share NULL), counted once among themselves by the same order.
--
-- The results live in release_attribution (migration 0015), kept current by sg_attribution_flush at
-- the end of every transaction that touches releases, funding, grants or hazards; readers select
-- from it. A release's counted_m2 depends only on the releases of its funder that overlap it, so a
-- write recounts the releases it touched and those overlapping them, nothing else.

-- Who funds each of the tasks p_tasks, and with what share, in each funder_kind (funder_kind):
-- p_grants NULL: every live grant, in the funder kinds donor, donor_public, grant and pool;
-- p_grants given: those grants only, in the funder_kind donor (for a reader who sees some of a donor's
-- grants but not all, nor exactly its public ones).
CREATE OR REPLACE FUNCTION sg_attribution_shares(p_tasks bigint[], p_grants bigint[])
RETURNS TABLE (funder_kind funder_kind, funder_id bigint, task_id bigint, share numeric)
LANGUAGE sql STABLE AS $$
  WITH funding AS MATERIALIZED (
    SELECT f.task_id, f.grant_id, f.share, g.donor_id, g.visibility
      FROM task_funding f
      JOIN grants g ON g.id = f.grant_id AND g.deleted_at IS NULL
     WHERE f.task_id = ANY(p_tasks) AND (p_grants IS NULL OR g.id = ANY(p_grants))
  )
  SELECT 'donor'::funder_kind, f.donor_id, f.task_id, least(sum(f.share), 1)
    FROM funding f GROUP BY f.donor_id, f.task_id
  UNION ALL
  SELECT 'donor_public', f.donor_id, f.task_id, least(sum(f.share), 1)
    FROM funding f WHERE p_grants IS NULL AND f.visibility = 'public' GROUP BY f.donor_id, f.task_id
  UNION ALL
  SELECT 'grant', f.grant_id, f.task_id, least(f.share, 1)
    FROM funding f WHERE p_grants IS NULL
  UNION ALL
  SELECT 'pool', 0, f.task_id, least(sum(f.share), 1)
    FROM funding f WHERE p_grants IS NULL GROUP BY f.task_id
$$;

-- THE counting rule (above), for the releases p_targets: one row per funder_kind and funder each
-- approved target (of a live hazard) counts for, measured against every release that can own part
-- of it (approved, same year, overlapping). With p_grants NULL the unattributed ones come too.
CREATE OR REPLACE FUNCTION sg_attribution_count(p_targets bigint[], p_grants bigint[])
RETURNS TABLE (funder_kind funder_kind, funder_id bigint, country_iso3 char(3), year int, release_id bigint,
               task_id bigint, organisation_id bigint, method release_method, completed_on date, share numeric,
               area_m2 double precision, counted_m2 double precision, synthetic boolean)
-- Without a SET clause, so that it is inlined: the flush at every write then keeps its plan, where
-- a function call was planned anew each time (1.7 ms against 0.6 ms a release at a million). Its
-- callers turn JIT off, whose compiling costs more than this query ever runs.
LANGUAGE sql STABLE AS $$
  WITH targets AS MATERIALIZED (
    SELECT l.id, l.geom, extract(year FROM l.completed_on)::int AS year
      FROM land_releases l
      JOIN hazards h ON h.id = l.hazard_id AND h.deleted_at IS NULL
     WHERE l.id = ANY(p_targets) AND l.status = 'approved'
  ), pairs AS MATERIALIZED (
    -- Each target with the approved releases of its year that overlap it, one probe of the spatial
    -- index per target.
    SELECT t.id, o.id AS other
      FROM targets t
     CROSS JOIN LATERAL (
       SELECT l.id FROM land_releases l
        WHERE l.geom && t.geom AND l.id <> t.id AND l.status = 'approved'
          AND l.completed_on BETWEEN make_date(t.year, 1, 1) AND make_date(t.year, 12, 31)
          AND ST_Intersects(l.geom, t.geom)
       OFFSET 0) o
  ), released AS MATERIALIZED (
    SELECT l.id, l.task_id, t.organisation_id, l.method, l.completed_on, l.geom, l.area_m2, l.synthetic,
           h.country_iso3, extract(year FROM l.completed_on)::int AS year
      FROM land_releases l
      JOIN hazards h ON h.id = l.hazard_id AND h.deleted_at IS NULL
      LEFT JOIN tasks t ON t.id = l.task_id
     WHERE l.id IN (SELECT t.id FROM targets t UNION SELECT p.other FROM pairs p)
  ), funded_tasks AS MATERIALIZED (
    SELECT array_agg(DISTINCT r.task_id) FILTER (WHERE r.task_id IS NOT NULL) AS ids FROM released r
  ), shares AS MATERIALIZED (
    -- Called with a column, not an ARRAY(subquery): a function whose arguments hold a subquery is
    -- not inlined, and was planned anew at every write.
    SELECT s.* FROM funded_tasks t CROSS JOIN LATERAL sg_attribution_shares(coalesce(t.ids, '{}'), p_grants) s
  ), members AS MATERIALIZED (
    SELECT s.funder_kind, s.funder_id, s.share, r.*
      FROM released r JOIN shares s ON s.task_id = r.task_id
    UNION ALL
    SELECT 'unattributed', 0, NULL, r.*
      FROM released r
     WHERE p_grants IS NULL
       AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.task_id = r.task_id AND s.funder_kind = 'pool')
  ), counted AS MATERIALIZED (
    SELECT m.* FROM members m WHERE m.id IN (SELECT t.id FROM targets t)
  ), rivals AS MATERIALIZED (
    -- Each counted member with the releases overlapping it: joined first, so that the members of a
    -- funder are never paired with each other wholesale.
    SELECT m.funder_kind, m.funder_id, m.id, m.country_iso3, m.share, m.completed_on, m.method, p.other
      FROM counted m JOIN pairs p ON p.id = m.id
  ), before AS MATERIALIZED (
    -- For each counted member, the union of the members of its funder kind, funder, country and
    -- year that come before it and overlap it.
    SELECT r.funder_kind, r.funder_id, r.id, ST_Union(o.geom) AS geom
      FROM rivals r
      JOIN members o ON o.id = r.other AND o.funder_kind = r.funder_kind AND o.funder_id = r.funder_id
                    AND o.country_iso3 = r.country_iso3
     WHERE (-coalesce(o.share, 0), o.completed_on, o.method, o.id) < (-coalesce(r.share, 0), r.completed_on, r.method, r.id)
     GROUP BY r.funder_kind, r.funder_id, r.id
  )
  SELECT c.funder_kind, c.funder_id, c.country_iso3, c.year, c.id, c.task_id, c.organisation_id, c.method, c.completed_on,
         c.share, c.area_m2,
         CASE WHEN b.geom IS NULL THEN c.area_m2 ELSE ST_Area(ST_Difference(c.geom, b.geom)::geography) END,
         c.synthetic
    FROM counted c
    LEFT JOIN before b ON b.funder_kind = c.funder_kind AND b.funder_id = c.funder_id AND b.id = c.id
$$;

-- Brings release_attribution up to date with the releases marked in attribution_dirty (by the
-- triggers of migration 0015, or all of them when that migration ran): those releases and every
-- release overlapping what they were or are now are counted again. Runs once per writing
-- transaction, just before it commits; one refresh at a time, so that each sees the others' results.
-- Its plans are generic from the first call: planning the count anew (the default while custom
-- plans look cheaper) took 1.8 ms of every release write at a million, longer than running it, and
-- the generic plan runs as fast for one release and for thousands (0.7 against 2.4 ms, and 0.33
-- against 0.40 s for 5,000).
CREATE OR REPLACE FUNCTION sg_attribution_flush() RETURNS void
LANGUAGE plpgsql SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_targets bigint[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('safeground:attribution'));
  DELETE FROM attribution_pending WHERE xid = pg_current_xact_id();
  WITH dirty AS (DELETE FROM attribution_dirty RETURNING release_id, geom)
  SELECT array_agg(DISTINCT t.id) INTO v_targets
    FROM (SELECT d.release_id AS id FROM dirty d
          UNION ALL
          SELECT n.id
            FROM dirty d
           CROSS JOIN LATERAL (SELECT l.id FROM land_releases l
                                WHERE l.geom && d.geom AND ST_Intersects(l.geom, d.geom) OFFSET 0) n
           WHERE d.geom IS NOT NULL) t;
  IF v_targets IS NULL THEN RETURN; END IF;
  DELETE FROM release_attribution WHERE release_id = ANY(v_targets);
  INSERT INTO release_attribution (funder_kind, funder_id, country_iso3, year, release_id, task_id, organisation_id,
                                   method, completed_on, share, area_m2, counted_m2, synthetic)
  SELECT * FROM sg_attribution_count(v_targets, NULL);
END
$$;

-- The rule over the grants p_grants only (their donors' shares on the tasks they fund), in one
-- country, for the years p_from..p_to: for a reader who sees part of a donor's grants. Counted on
-- the spot, not stored.
CREATE OR REPLACE FUNCTION sg_attributed_releases(p_grants bigint[], p_country char(3), p_from int, p_to int)
RETURNS TABLE (funder_kind funder_kind, funder_id bigint, country_iso3 char(3), year int, release_id bigint,
               task_id bigint, organisation_id bigint, method release_method, completed_on date, share numeric,
               area_m2 double precision, counted_m2 double precision, synthetic boolean)
LANGUAGE sql STABLE SET jit = off AS $$
  SELECT *
    FROM sg_attribution_count(ARRAY(
           SELECT l.id
             FROM task_funding f
             JOIN land_releases l ON l.task_id = f.task_id AND l.status = 'approved'
             JOIN hazards h ON h.id = l.hazard_id AND h.country_iso3 = p_country
            WHERE f.grant_id = ANY(p_grants)
              AND l.completed_on BETWEEN make_date(p_from, 1, 1) AND make_date(p_to, 12, 31)), p_grants)
   WHERE country_iso3 = p_country
$$;

-- The commitments and disbursements of grants p_grants in the years p_from..p_to, each in USD at
-- the rate of its own year (sg_usd); usd is NULL where that rate is missing.
CREATE OR REPLACE FUNCTION sg_grant_transactions_usd(p_grants bigint[], p_from int, p_to int)
RETURNS TABLE (transaction_id bigint, grant_id bigint, donor_id bigint, recipient_id bigint, country_iso3 char(3),
               type grant_transaction_type, transaction_date date, year int, amount numeric, currency char(3), usd numeric)
LANGUAGE sql STABLE AS $$
  SELECT t.id, g.id, g.donor_id, g.recipient_id, g.country_iso3, t.type, t.transaction_date,
         extract(year FROM t.transaction_date)::int, t.amount, g.currency,
         sg_usd(t.amount, g.currency, extract(year FROM t.transaction_date)::int)
    FROM grant_transactions t
    JOIN grants g ON g.id = t.grant_id AND g.deleted_at IS NULL
   WHERE g.id = ANY(p_grants)
     AND t.transaction_date BETWEEN make_date(p_from, 1, 1) AND make_date(p_to, 12, 31)
   ORDER BY t.transaction_date, t.id
$$;

-- A country's grant money per year, type and currency, in USD at each year's rate (usd NULL where
-- the rate is missing: one rate per currency and year, so a group is all priced or all missing):
-- per donor and recipient for the grants this reader sees in detail (sg_grant_visible), the others
-- in one group without names (donor_id and recipient_id NULL).
CREATE OR REPLACE FUNCTION sg_country_grant_money(p_country char(3), p_reader_org bigint, p_governs text[])
RETURNS TABLE (donor_id bigint, recipient_id bigint, year int, type grant_transaction_type, currency char(3),
               amount numeric, usd numeric)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN v.seen THEN g.donor_id END, CASE WHEN v.seen THEN g.recipient_id END, y.year, t.type, g.currency,
         sum(t.amount), sum(sg_usd(t.amount, g.currency, y.year))
    FROM grants g
    JOIN grant_transactions t ON t.grant_id = g.id
   CROSS JOIN LATERAL (SELECT sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id,
                                               p_reader_org, p_governs) AS seen) v
   CROSS JOIN LATERAL (SELECT extract(year FROM t.transaction_date)::int AS year) y
   WHERE g.country_iso3 = p_country AND g.deleted_at IS NULL
   GROUP BY 1, 2, 3, 4, 5
$$;

-- Counts whatever is still marked: the releases already recorded when migration 0015 ran.
SELECT sg_attribution_flush();
