// The attribution and visibility rules as the API documents them. The attribution rule is
// computed in one place, sql/functions/0720_attribution.sql (sg_attributed_releases); this text
// says exactly what that function does, and becomes part of the OpenAPI document.

export const ATTRIBUTION_RULE =
  "Attribution rule. A donor's released area in a year and country counts the approved releases completed that year " +
  "under tasks it funds, whatever the task status, each weighted by the donor's share of its task (the sum of the shares " +
  'of its grants on that task). Land is counted once: where releases overlap, each point belongs to one of them only, ' +
  'the first of: the larger donor share (so land released under two tasks of one donor counts once, at the larger ' +
  "share), the earlier completion day, cancelled before reduced before cleared, the smaller release id. A release's " +
  'counted_m2 is its geodesic area (WGS 84) minus the parts owned by releases before it, and attributed_m2 = ' +
  "counted_m2 × share; the donor's released_km2 is the sum of attributed_m2: the area of the union of its releases, " +
  'each point weighted by the largest share the donor holds in a task that released it, and the figures by method ' +
  "and by release add up to it exactly. Donors are counted apart: land that two donors' tasks released counts for " +
  'each, at its own share. Releases without a task, or under a task that no grant funds, are unattributed ' +
  '(unattributed_km2: the area of their union) and count for no donor.';

export const COST_RULE =
  'Money. Commitments and disbursements are the grant transactions dated in the year, each converted to USD at the ' +
  'exchange rate recorded for its own currency and year. A sum with a transaction whose rate is missing is null, and ' +
  'missing_rates names each currency and year; nothing is guessed. cost_per_km2_usd = disbursed_usd / released_km2 of ' +
  'the same year (a disbursement pays for the land released that year, whichever grant it came from); null when ' +
  'disbursed_usd is null or no land is attributed, with cost_note saying which.';

export const VISIBILITY_RULE =
  "Visibility. A grant is seen in detail by everybody when public; a coalition-only grant by admins, the country's " +
  'national authority and the users of its donor and of its recipient. Everybody else (anonymous readers, viewers, ' +
  'other donors and operators) meets coalition-only grants only inside aggregates without names. The donor summary ' +
  "counts the grants the reader may see: the donor's own users and admins get every grant, a national authority " +
  'every grant in its country and the public grants elsewhere, a recipient its own coalition grants and the public ' +
  'ones, and everybody else the public grants only (shares of unseen grants do not count, and their money is left out).';
