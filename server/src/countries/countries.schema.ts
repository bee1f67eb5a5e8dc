import { z } from 'zod';
import { IsoDate, YearQuery } from '../http/common.schema.js';
import { Extension, Obligation } from '../obligations/obligations.schema.js';

export const SCOPES = { ccm: 'cmr', apmbc: 'ap_mines', ccw_p5: 'erw' } as const;
export type Scope = keyof typeof SCOPES;

const AsOfDate = IsoDate.describe('report figures as of the end of this day (UTC); omitted = as of today');

export const AsOfQuery = z
  .object({ year: YearQuery.optional(), as_of: AsOfDate.optional() })
  .strict()
  .refine((q) => q.year === undefined || q.as_of === undefined, 'give year or as_of, not both');

export const TimelineQuery = z
  .object({
    year: YearQuery.optional().describe('last year of the timeline; omitted = the current year'),
    as_of: AsOfDate.optional().describe('last day counted; the timeline ends with its year'),
    scope: z
      .enum(['ccm', 'apmbc', 'ccw_p5'])
      .optional()
      .describe(
        'only the contamination a treaty covers: ccm = cmr (CCM Art. 4), apmbc = ap_mines (APMBC Art. 5), ccw_p5 = erw',
      ),
  })
  .strict()
  .refine((q) => q.year === undefined || q.as_of === undefined, 'give year or as_of, not both');

const Km2 = z.number().describe('square kilometres, geodesic, overlaps counted once; exact to the square metre');

const Released = z.object({ cancelled: Km2, reduced: Km2, cleared: Km2 }).meta({ id: 'ReleasedKm2' });

const Deadlines = z
  .object({ ccm: z.string().nullable(), apmbc: z.string().nullable() })
  .describe('current deadline of the CCM Article 4 and APMBC Article 5 obligations, where the country has one');

export const CountrySummary = z
  .object({
    iso3: z.string(),
    name: z.string(),
    as_of: z.string().describe('figures are as of the end of this day (UTC)'),
    remaining_km2: Km2,
    released_km2: Released,
    found_km2: Km2.describe('all contaminated area recorded up to as_of'),
    hazard_count: z.number().int(),
    deadlines: Deadlines,
    synthetic_data: z.boolean().describe('true when the country has generated demo hazards'),
    coverage: z
      .object({ share: z.number().nullable(), year: z.number().int().nullable(), thin: z.boolean() })
      .describe(
        'share of the latest nationally reported remaining area that the polygons cover; thin below COVERAGE_THIN_SHARE',
      ),
    restricted: z
      .boolean()
      .describe(
        'sensitive locations: anonymous, viewer and donor readers get its hazards and releases as grid cells (PUT .../restriction); figures stay exact',
      ),
    restriction_cell_km: z
      .number()
      .describe('the grid cell size (km) those readers get while the country is restricted'),
  })
  .meta({ id: 'CountrySummary' });

// The obligation shape is owned by obligations/; re-exported for the country detail and its callers.
export { Extension, Obligation };

export const CountryDetail = CountrySummary.extend({
  by_contamination: z
    .record(z.string(), Km2)
    .describe('remaining by contamination type; a hazard with several types counts in each'),
  by_scope: z.object({ ccm: Km2, apmbc: Km2, ccw_p5: Km2 }),
  provinces: z.array(z.object({ code: z.string(), name: z.string(), remaining_km2: Km2 })),
  provinces_as_of: z
    .string()
    .describe(
      'the day the province figures are as of: as_of, or for readers outside a restricted country the last 31 December on or before it',
    ),
  provinces_rounding_km2: z
    .number()
    .nullable()
    .describe(
      'province figures are rounded to this many km² (readers outside a restricted country: 1% of a cell); null when exact',
    ),
  obligations: z.array(Obligation),
}).meta({ id: 'CountryDetail' });

export const TimelineYear = z.object({
  year: z.number().int(),
  baseline_km2: Km2.describe('remaining at the end of the previous year'),
  newly_found_km2: Km2,
  cancelled_km2: Km2,
  reduced_km2: Km2,
  cleared_km2: Km2,
  remaining_km2: Km2.describe('= baseline + newly found - cancelled - reduced - cleared'),
});

export const Timeline = z
  .object({ iso3: z.string(), scope: z.string().nullable(), years: z.array(TimelineYear) })
  .meta({ id: 'Timeline' });
