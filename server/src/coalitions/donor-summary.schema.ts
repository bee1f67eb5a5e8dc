import { z } from 'zod';
import { Iso3, RecordId } from '../http/common.schema.js';
import { RELEASE_METHODS } from '../db/enums.js';
import { REPORT_FORMATS } from '../reports/reports.schema.js';

const Km2 = z.number().describe('square kilometres, exact to the square metre');
const Usd = z.number().nullable().describe('US dollars to the cent; null where an exchange rate is missing');

export const DonorParam = z.object({
  org_id: RecordId.describe('the donor organisation id'),
});

export const DonorSummaryQuery = z
  .object({
    year: z.coerce.number().int().min(1990).max(2100).optional().describe('one calendar year; omitted = every year'),
    country: Iso3.optional().describe('one country; omitted = every country'),
    format: z.enum(REPORT_FORMATS).optional().describe('json (default), csv or html (printable accountability report)'),
  })
  .strict();

export const MissingRate = z
  .object({ currency: z.string(), year: z.number().int() })
  .describe('a currency and year without a recorded exchange rate')
  .meta({ id: 'MissingRate' });

const Released = z
  .object({ cancelled: Km2, reduced: Km2, cleared: Km2, total: Km2 })
  .describe('attributed to the donor by the attribution rule; the methods add up to total');

export const AttributedRelease = z
  .object({
    release_id: z.number().int(),
    task_id: z.number().int(),
    organisation_id: z.number().int().describe("the task's organisation, the operator the land is credited to"),
    method: z.enum(RELEASE_METHODS),
    completed_on: z.string(),
    share: z.number().describe("the donor's share of the task (sum of its grants' shares)"),
    area_m2: z.number().describe('geodesic area of the release'),
    counted_m2: z.number().describe('its area less the parts counted under releases before it (overlaps once)'),
    attributed_m2: z.number().describe('counted_m2 × share'),
  })
  .meta({ id: 'AttributedRelease' });

export const SummaryTransaction = z
  .object({
    transaction_id: z.number().int(),
    grant_id: z.number().int(),
    recipient_id: z.number().int(),
    recipient: z.string(),
    type: z.enum(['commitment', 'disbursement']),
    date: z.string(),
    amount: z.number().describe("in the grant's currency"),
    currency: z.string(),
    usd: Usd.describe('at the rate of the currency in the year of the transaction; null where missing'),
  })
  .meta({ id: 'SummaryTransaction' });

export const OperatorFigures = z
  .object({
    organisation_id: z.number().int(),
    name: z.string(),
    acronym: z.string().nullable(),
    released_km2: Released,
    disbursed_usd: Usd.describe('disbursed to this organisation by the grants counted'),
    cost_per_km2_usd: z.number().nullable().describe('disbursed_usd / released_km2.total; null with cost_note'),
    cost_note: z.string().nullable(),
  })
  .meta({ id: 'DonorOperatorFigures' });

export const DonorSummaryRow = z
  .object({
    country_iso3: z.string(),
    year: z.number().int(),
    released_km2: Released,
    committed_usd: Usd,
    disbursed_usd: Usd,
    cost_per_km2_usd: z.number().nullable().describe('disbursed_usd / released_km2.total; null with cost_note'),
    cost_note: z.string().nullable().describe('why cost_per_km2_usd is null'),
    missing_rates: z.array(MissingRate),
    unattributed_km2: Km2.describe(
      'land released in the country that year with no task or under an unfunded task, counted once: no donor claims it',
    ),
    release_count: z.number().int().describe('how many releases are behind released_km2'),
    releases_url: z.string().describe('the releases behind released_km2, page by page (GET, the same reader)'),
    operators: z
      .array(OperatorFigures)
      .describe(
        "the row split by implementing organisation: land by the organisation of each release's task, money by " +
          "each grant's recipient",
      ),
    transactions: z.array(SummaryTransaction).describe('the transactions behind committed_usd and disbursed_usd'),
  })
  .meta({ id: 'DonorSummaryRow' });

export const DonorSummary = z
  .object({
    donor: z.object({ id: z.number().int(), name: z.string(), acronym: z.string().nullable(), kind: z.string() }),
    year: z.number().int().nullable(),
    country: z.string().nullable(),
    grants_counted: z
      .enum(['all', 'visible'])
      .describe(
        'all: every grant of the donor; visible: only the grants this reader may see (see the visibility rule)',
      ),
    generated_at: z.string(),
    synthetic_data: z.boolean().describe('true when any release behind the figures is generated demo data'),
    rows: z.array(DonorSummaryRow).describe('per country and year, oldest first'),
    rules: z.array(z.string()).describe('the attribution, money and visibility rules, in words'),
  })
  .meta({ id: 'DonorSummary' });

export const DonorReleasesQuery = z
  .object({
    country: Iso3.describe('the country of the figure'),
    year: z.coerce.number().int().min(1990).max(2100).describe('the year of the figure'),
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe('the last release id of the previous page (next_after); 0 for the first page'),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .strict();

export const DonorReleases = z
  .object({
    donor_id: z.number().int(),
    country_iso3: z.string(),
    year: z.number().int(),
    grants_counted: z.enum(['all', 'visible']),
    releases: z.array(AttributedRelease).describe('by release id'),
    next_after: z.number().int().nullable().describe('pass as after for the next page; null on the last page'),
  })
  .meta({ id: 'DonorReleases' });

export type DonorSummaryOut = z.infer<typeof DonorSummary>;
export type DonorSummaryRowOut = z.infer<typeof DonorSummaryRow>;
export type DonorReleasesOut = z.infer<typeof DonorReleases>;
export type AttributedReleaseOut = z.infer<typeof AttributedRelease>;
