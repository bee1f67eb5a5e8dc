import { z } from 'zod';
import { MissingRate } from './donor-summary.schema.js';

const Km2 = z.number().describe('square kilometres, exact to the square metre');
const Usd = z.number().nullable().describe('US dollars to the cent; null where an exchange rate is missing');

export const CoalitionQuery = z
  .object({
    year: z.coerce
      .number()
      .int()
      .min(1990)
      .max(2100)
      .optional()
      .describe('money flows of this calendar year only; omitted = every year'),
  })
  .strict();

export const CoalitionOperator = z.object({
  organisation_id: z.number().int(),
  name: z.string(),
  acronym: z.string().nullable(),
  task_count: z.number().int().describe('tasks recorded, rejected and cancelled ones left out'),
  task_area_km2: Km2.describe(
    'geodesic area of the union of those tasks (overlaps of its own tasks once): its province figures plus the part ' +
      'outside every province',
  ),
});

export const CoalitionFlow = z.object({
  donor_id: z.number().int().nullable(),
  donor: z.string().describe('the donor, or "other donors (coalition only)" for grants this reader may not see'),
  recipient_id: z.number().int().nullable(),
  recipient: z.string(),
  aggregated: z.boolean().describe('true for the one row of coalition-only grants this reader may not see'),
  grant_count: z.number().int().nullable().describe('null on the aggregated row'),
  committed_usd: Usd,
  disbursed_usd: Usd,
  missing_rates: z.array(MissingRate),
});

export const FundingNeed = z.object({
  treaty: z.enum(['CCM', 'APMBC']).nullable().describe('the obligation with the nearest deadline still ahead'),
  current_deadline: z.string().nullable(),
  required_rate_km2_per_year: Km2.nullable().describe('from the progress API, as it gives it'),
  cost_years: z.array(z.number().int()).describe('the years the observed cost covers'),
  funded_km2: Km2.describe(
    'land released under funded tasks in those years (each year counted once, all donors pooled)',
  ),
  disbursed_usd: Usd.describe('disbursed in the country in those years, every grant'),
  cost_per_km2_usd: z.number().nullable(),
  funding_needed_usd_per_year: z.number().nullable().describe('required_rate_km2_per_year × cost_per_km2_usd'),
  disbursed_usd_per_year: z.number().nullable().describe('disbursed_usd / number of cost_years'),
  funding_gap_usd_per_year: z
    .number()
    .nullable()
    .describe('funding_needed_usd_per_year − disbursed_usd_per_year (negative: more is disbursed than the rate needs)'),
  reason: z.string().nullable().describe('why the figures are null'),
  missing_rates: z.array(MissingRate),
  years: z
    .array(
      z.object({
        year: z.number().int(),
        funding_needed_usd: z.number().nullable().describe('funding_needed_usd_per_year'),
        committed_usd: Usd.describe('committed in the country that year, every grant'),
        disbursed_usd: Usd.describe('disbursed in the country that year, every grant'),
        funding_gap_usd: z.number().nullable().describe('funding_needed_usd − disbursed_usd'),
        missing_rates: z.array(MissingRate),
      }),
    )
    .describe('each cost year: the funding the required rate needs against the money committed and disbursed'),
});

export const CoalitionPage = z
  .object({
    iso3: z.string(),
    name: z.string(),
    as_of: z.string(),
    year: z.number().int().nullable(),
    synthetic_data: z.boolean(),
    operators: z.array(CoalitionOperator).describe('who works where'),
    provinces: z.array(z.object({ code: z.string(), name: z.string() })),
    matrix: z
      .array(z.object({ organisation_id: z.number().int(), province_code: z.string(), task_area_km2: Km2 }))
      .describe("operator × province: the area of each operator's tasks inside each province (non-zero cells only)"),
    matrix_as_of: z.string().describe('the day the matrix counts tasks recorded by'),
    matrix_rounding_km2: z
      .number()
      .nullable()
      .describe('the unit matrix areas are rounded to for readers outside a restricted country; null when exact'),
    released_by_year: z
      .array(z.object({ year: z.number().int(), funded_km2: Km2, unattributed_km2: Km2 }))
      .describe(
        'in the cost years: land released under funded tasks, and land no donor funded (no task or an unfunded task)',
      ),
    flows: z.array(CoalitionFlow).describe('who funds whom'),
    funding: FundingNeed.describe('funding against need'),
    overlaps_url: z
      .string()
      .describe('where every overlap between tasks, and every task on land already released, is listed'),
  })
  .meta({ id: 'CoalitionPage' });

export type CoalitionPageOut = z.infer<typeof CoalitionPage>;
