import { z } from 'zod';
import { IsoDate, YearQuery } from '../http/common.schema.js';
import { Extension } from '../countries/countries.schema.js';
import { PendingExtension } from '../obligations/obligations.schema.js';
import { MIN_REPORTED_YEARS, PROGRESS_STATUSES, STATUS_RULE } from './projection.js';

const Km2 = z.number().describe('square kilometres, exact to the square metre');
const NullableKm2 = Km2.nullable();

export const ProgressQuery = z
  .object({
    year: YearQuery.optional(),
    as_of: IsoDate.optional().describe('figures as of the end of this day (UTC); omitted = today'),
  })
  .strict()
  .refine((q) => q.year === undefined || q.as_of === undefined, 'give year or as_of, not both');

export const Coverage = z
  .object({
    share: z
      .number()
      .nullable()
      .describe(
        'polygon remaining area / reported remaining area at the latest reported year; null without a reported figure',
      ),
    year: z.number().int().nullable().describe('the reported year compared'),
    thin: z.boolean().describe('share below COVERAGE_THIN_SHARE: polygon figures understate the contamination'),
  })
  .meta({ id: 'Coverage' });

export const ProgressStatus = z.enum(PROGRESS_STATUSES).describe(STATUS_RULE);

export const ReportedBasis = z
  .object({
    figure_year: z
      .number()
      .int()
      .describe('the year of the national remaining figure the projection starts from (at its end)'),
    age_years: z.number().int().describe('as_of year minus figure_year'),
    stale: z
      .boolean()
      .describe('the figure is older than the rate window of the as_of date: read the status with care'),
    window_years: z.array(z.number().int()).describe('the rate window: the three years up to figure_year'),
    reported_years: z
      .array(z.number().int())
      .describe('the years of the window with a reported release: the rate uses these only'),
    min_reported_years: z
      .number()
      .int()
      .describe(`reported years a rate needs (${MIN_REPORTED_YEARS}); with fewer there is no rate and no projection`),
  })
  .describe('how old and how sparse the reported figures behind the status are; null when the polygons drive it')
  .meta({ id: 'ReportedBasis' });

export const AnnualProgress = z.object({
  year: z.number().int(),
  newly_found_km2: Km2,
  cancelled_km2: Km2,
  reduced_km2: Km2,
  cleared_km2: Km2,
  remaining_km2: Km2.describe('at the end of the year (or as_of, for its own year)'),
});

export const ObligationProgress = z
  .object({
    treaty: z.enum(['CCM', 'APMBC']),
    article: z.number().int(),
    scope: z.enum(['ccm', 'apmbc']),
    contamination: z.enum(['cmr', 'ap_mines']).describe('the contamination the article covers'),
    entry_into_force: z.string(),
    original_deadline: z.string(),
    current_deadline: z.string().nullable(),
    extensions: z.array(Extension),
    obligation_status: z.string(),
    verified: z.boolean().describe('false where the obligation row comes only from recall: to be shown as unverified'),
    source: z
      .enum(['polygons', 'reported', 'none'])
      .describe(
        'what the headline figures and the status use: polygons unless they are missing or thin, then the latest reported figure',
      ),
    baseline_km2: NullableKm2.describe('remaining at the end of the entry-into-force day (polygons)'),
    newly_found_km2: NullableKm2.describe('recorded after entry into force (polygons)'),
    released_km2: z
      .object({ cancelled: Km2, reduced: Km2, cleared: Km2 })
      .nullable()
      .describe('since entry into force'),
    remaining_km2: NullableKm2,
    reported: z
      .object({ year: z.number().int(), remaining_km2: Km2, source: z.string() })
      .nullable()
      .describe('the latest national figure for this contamination'),
    annual: z.array(AnnualProgress).describe('polygon-derived, from the entry-into-force year to the as_of year'),
    rate_km2_per_year: NullableKm2.describe(
      'average area released per year over rate_years. Polygons: a year without releases counts as zero. Reported figures: ' +
        `only the years with a reported release count; null with fewer than ${MIN_REPORTED_YEARS}`,
    ),
    rate_years: z.array(z.number().int()).describe('the years the rate averages'),
    projected_from: z
      .string()
      .describe("the day the projection starts: as_of for polygons, the end of the reported figure's year"),
    projected_completion: z
      .string()
      .nullable()
      .describe('when the remaining area is released at that rate; null when it never is'),
    required_rate_km2_per_year: NullableKm2.describe(
      'rate needed to finish by the current deadline; null once it has passed',
    ),
    extension_years_needed: z.number().nullable().describe('years past the current deadline at the current rate'),
    extension_requests_needed: z.number().int().nullable(),
    max_extension_years: z
      .number()
      .int()
      .describe('longest extension one request may grant: CCM 5 (Art. 4.5), APMBC 10 (Art. 5.3)'),
    reported_basis: ReportedBasis.nullable(),
    pending_extension: PendingExtension.nullable().describe(
      'the extension request open on the as_of day (submitted by then)',
    ),
    status: ProgressStatus,
    status_detail: z
      .string()
      .nullable()
      .describe(
        'what to read beside the status, in English: "deadline passed — extension requested for 2030, decision due at the 23rd ' +
          'Meeting of States Parties", "latest national figure: 2021", too few reported years for a rate',
      ),
    status_rule: z.string(),
    coverage: Coverage,
  })
  .meta({ id: 'ObligationProgress' });

export const CountryProgress = z
  .object({
    iso3: z.string(),
    name: z.string(),
    as_of: z.string(),
    synthetic_data: z.boolean(),
    coverage: Coverage,
    obligations: z.array(ObligationProgress),
  })
  .meta({ id: 'CountryProgress' });
