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
-- Releases with no task, or under a task no grant funds, are unattributed: they come back with
-- funder_id NULL, share and attributed_m2 NULL, counted once among themselves by the same order.

-- The rule above over the grants p_grants (only their shares count), of one country or all (NULL),
-- for the years p_from..p_to. p_pooled: every grant counts as one funder (funder_id 0): the land
-- released with any of these grants' money, counted once.
CREATE OR REPLACE FUNCTION sg_attributed_releases(p_grants bigint[], p_country char(3), p_from int, p_to int, p_pooled boolean)
RETURNS TABLE (funder_id bigint, country_iso3 char(3), year int, release_id bigint, task_id bigint,
               method release_method, completed_on date, share numeric, area_m2 double precision,
               counted_m2 double precision, attributed_m2 double precision)
LANGUAGE sql STABLE AS $$
  WITH shares AS MATERIALIZED (
    SELECT f.task_id, CASE WHEN p_pooled THEN 0 ELSE g.donor_id END AS funder_id, least(sum(f.share), 1) AS share
      FROM grants g
      JOIN task_funding f ON f.grant_id = g.id
     WHERE g.id = ANY(p_grants) AND g.deleted_at IS NULL
     GROUP BY 1, 2
  ), funded_tasks AS MATERIALIZED (
    SELECT DISTINCT f.task_id FROM task_funding f JOIN grants g ON g.id = f.grant_id AND g.deleted_at IS NULL
  ), released AS MATERIALIZED (
    -- Only the releases a member can come from: under a task these grants fund, or under no funded task.
    SELECT l.id, l.task_id, l.method, l.completed_on, l.geom, l.area_m2, h.country_iso3,
           extract(year FROM l.completed_on)::int AS year
      FROM land_releases l
      JOIN hazards h ON h.id = l.hazard_id AND h.deleted_at IS NULL
     WHERE l.status = 'approved'
       AND l.completed_on BETWEEN make_date(p_from, 1, 1) AND make_date(p_to, 12, 31)
       AND (p_country IS NULL OR h.country_iso3 = p_country)
       AND (l.task_id IS NULL OR l.task_id IN (SELECT s.task_id FROM shares s)
            OR l.task_id NOT IN (SELECT t.task_id FROM funded_tasks t))
  ), members AS MATERIALIZED (
    -- fkey: the funder, -1 for the unattributed, so that joins on it can hash.
    SELECT s.funder_id, s.funder_id AS fkey, r.*, s.share
      FROM released r JOIN shares s ON s.task_id = r.task_id
    UNION ALL
    SELECT NULL, -1, r.*, NULL
      FROM released r
     WHERE r.task_id IS NULL OR r.task_id NOT IN (SELECT t.task_id FROM funded_tasks t)
  ), touching AS MATERIALIZED (
    -- Pairs of members of one funder and year whose boxes meet, each member probing the spatial
    -- index of land_releases (a join on the year alone would pair every release with every other).
    SELECT m.fkey, m.id, b.id AS other
      FROM members m
     CROSS JOIN LATERAL (SELECT b.id FROM land_releases b WHERE b.geom && m.geom AND b.id <> m.id OFFSET 0) b
  ), before AS (
    -- For each member, the union of the members of its funder that come before it and overlap it.
    SELECT m.fkey, m.id, ST_Union(o.geom) AS geom
      FROM members m
      JOIN touching t ON t.id = m.id AND t.fkey = m.fkey
      JOIN members o ON o.id = t.other AND o.fkey = m.fkey AND o.year = m.year
     WHERE ST_Intersects(o.geom, m.geom)
       AND (-coalesce(o.share, 0), o.completed_on, o.method, o.id) < (-coalesce(m.share, 0), m.completed_on, m.method, m.id)
     GROUP BY m.fkey, m.id
  ), counted AS (
    SELECT m.*,
           CASE WHEN b.geom IS NULL THEN m.area_m2
                ELSE ST_Area(ST_Difference(m.geom, b.geom)::geography) END AS counted_m2
      FROM members m LEFT JOIN before b ON b.id = m.id AND b.fkey = m.fkey
  )
  SELECT c.funder_id, c.country_iso3, c.year, c.id, c.task_id, c.method, c.completed_on, c.share, c.area_m2,
         c.counted_m2, c.counted_m2 * c.share::double precision
    FROM counted c
   ORDER BY c.funder_id NULLS LAST, c.country_iso3, c.year, c.id
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
