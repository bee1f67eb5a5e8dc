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
