-- Grants: money in USD.

-- An amount in a currency, in USD at the rate an admin recorded for that year (exchange_rates).
-- NULL when no rate is recorded: a missing rate is reported as missing, never guessed from
-- another year or currency. USD is itself.
CREATE OR REPLACE FUNCTION sg_usd(p_amount numeric, p_currency text, p_year integer)
RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_currency = 'USD' THEN p_amount
              ELSE p_amount * (SELECT r.usd_per_unit FROM exchange_rates r WHERE r.currency = p_currency AND r.year = p_year)
         END
$$;

-- A reader's coalition scope comes from TypeScript (server/src/shared/coalition-scope.ts) as
-- p_reader_org, the organisation the reader acts for (NULL for none), and p_governs, the countries
-- it governs ('*' for an admin, its country for a national authority).
--
-- Whether a reader sees a grant's detail (its donor, amount, share of a task): public grants for
-- everyone; coalition-only grants for admins, the authority of the grant's country, its donor and
-- its recipient. Everybody else meets a coalition grant only inside aggregates. The one rule for
-- grant lists, tasks, tiles, donor summaries and the coalition page.
DROP FUNCTION IF EXISTS sg_grant_visible(grant_visibility, bigint, bigint, char, text, text, bigint);
CREATE OR REPLACE FUNCTION sg_grant_visible(p_visibility grant_visibility, p_country char(3), p_donor bigint,
                                            p_recipient bigint, p_reader_org bigint, p_governs text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_visibility = 'public' OR '*' = ANY(p_governs) OR p_country::text = ANY(p_governs)
      OR coalesce(p_reader_org IN (p_donor, p_recipient), false)
$$;
