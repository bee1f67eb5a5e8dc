import { z } from 'zod';
import { IsoDate, RecordId } from '../http/common.schema.js';
import { todayUtc } from '../shared/dates.js';
import { Treaty } from '../obligations/obligations.schema.js';
import { Extension } from '../countries/countries.schema.js';
import { DEVICE_TYPES, ReleaseMethod } from '../releases/releases.schema.js';
import { ProgressStatus, ReportedBasis } from '../progress/progress.schema.js';
import { PendingExtension } from '../obligations/obligations.schema.js';
import { CLASSIFICATIONS } from '../db/enums.js';
import { WorkPlan, type WorkPlanOut } from '../planner/plans.schema.js';

export { WorkPlan, type WorkPlanOut };

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const Format = z
  .enum(REPORT_FORMATS)
  .optional()
  .describe('json, csv (one table with a section column) or html (printable page); wins over the Accept header');

const currentYear = () => Number(todayUtc().slice(0, 4));

export const Article7Query = z
  .object({
    treaty: Treaty,
    year: z.coerce
      .number()
      .int()
      .min(1990)
      .refine((year) => year <= currentYear(), 'must not be in the future')
      .optional()
      .describe(
        'calendar year reported on; omitted = the last complete year (reports are due on 30 April for the year before)',
      ),
    format: Format,
  })
  .strict();

export const ExtensionQuery = z
  .object({
    treaty: Treaty,
    requested_deadline: IsoDate.optional().describe(
      'the new deadline requested; omitted = the current deadline extended by as many requests of the treaty maximum ' +
        '(CCM 5 years, APMBC 10) as the projected completion needs',
    ),
    plan_id: RecordId.optional().describe(
      'a saved deployment plan of the country: the annex then carries its annual work plan (signed-in readers of the plan only; 401 without a user)',
    ),
    format: Format,
  })
  .strict();

const Km2 = z.number().describe('square kilometres, geodesic, exact to the square metre');
const M2 = z.number().int().describe('square metres, geodesic, rounded to the square metre');
const Devices = z
  .record(z.enum(DEVICE_TYPES), z.number().int())
  .describe(`devices destroyed by type: ${DEVICE_TYPES.join(', ')}`);

const ReportHeader = {
  iso3: z.string(),
  country: z.string(),
  treaty: Treaty,
  article: z.number().int(),
  contamination: z.enum(['cmr', 'ap_mines']).describe('what the article covers: CCM cmr, APMBC ap_mines'),
  generated_at: z.string().describe('when this report was produced (UTC)'),
  as_of: z.string().describe('figures include everything recorded or completed up to the end of this day (UTC)'),
  data_source: z.string(),
  synthetic_data: z.boolean().describe('the country has generated demo hazards: not real contamination figures'),
  coverage_thin: z
    .boolean()
    .describe('polygons cover less than COVERAGE_THIN_SHARE of the nationally reported remaining area'),
  notes: z.array(z.string()),
};

const Deadline = {
  entry_into_force: z.string(),
  original_deadline: z.string(),
  current_deadline: z.string().nullable(),
  extensions: z.array(Extension.omit({ source: true })),
  verified: z.boolean().describe('false where the obligation comes only from recall and awaits confirmation'),
  pending_extension: PendingExtension.nullable(),
  status: ProgressStatus,
  status_detail: z.string().nullable().describe('what to read beside the status (see ObligationProgress)'),
  status_source: z.enum(['polygons', 'reported', 'none']).describe('which figures the status was computed from'),
  reported_basis: ReportedBasis.nullable(),
};

export const ContaminatedArea = z.object({
  id: z.number().int(),
  reference: z.string().describe('external_ref (national database id), else the Safeground id'),
  name: z.string().nullable().describe('null for readers outside a restricted country'),
  province: z
    .object({ code: z.string(), name: z.string() })
    .nullable()
    .describe('province containing the point (for readers outside a restricted country: containing the cell centre)'),
  centroid: z
    .object({ lng: z.number(), lat: z.number() })
    .describe(
      'a point on the hazard surface (ST_PointOnSurface); the centre of its grid cell where the country restricts its polygons and the reader is outside its circle',
    ),
  classification: z.enum(CLASSIFICATIONS),
  contamination: z.array(z.string()),
  recorded_on: z.string(),
  size_m2: M2.describe('remaining area of the hazard at the end of the period'),
  size_km2: Km2,
});

export const ReleasedArea = z.object({
  id: z.number().int(),
  reference: z.string(),
  hazard_id: z.number().int(),
  hazard_reference: z.string(),
  method: ReleaseMethod,
  operator: z.string().nullable().describe('organisation credited with the release'),
  start_on: z.string().nullable(),
  completed_on: z.string(),
  area_m2: M2,
  area_km2: Km2,
  devices: Devices,
});

export const MethodTotal = z.object({
  method: ReleaseMethod,
  releases: z.number().int(),
  listed_area_km2: Km2.describe(
    'sum of the listed releases: area released twice or under an overlapping hazard counts each time',
  ),
  net_released_km2: Km2.describe('area this method took off the remaining area (engine, = /timeline): counted once'),
  devices: Devices,
});

export const Article7Report = z
  .object({
    ...ReportHeader,
    year: z.number().int(),
    period: z.object({ start: z.string(), end: z.string() }),
    contaminated_areas: z.object({
      hazards: z.array(ContaminatedArea),
      sum_of_sizes_km2: Km2.describe(
        'sum of the sizes listed; overlapping hazards count each time, so not the remaining area',
      ),
    }),
    released_areas: z.object({ releases: z.array(ReleasedArea), by_method: z.array(MethodTotal) }),
    devices_destroyed: Devices,
    summary: z.object({
      baseline_km2: Km2.describe('remaining at the end of the previous year'),
      newly_found_km2: Km2,
      cancelled_km2: Km2,
      reduced_km2: Km2,
      cleared_km2: Km2,
      released_km2: Km2,
      remaining_km2: Km2.describe(
        'union of remaining hazard geometry at the end of the period (overlaps counted once)',
      ),
      ...Deadline,
    }),
  })
  .meta({ id: 'Article7Report' });

export const AnnualRelease = z.object({
  year: z.number().int(),
  newly_found_km2: Km2,
  cancelled_km2: Km2,
  reduced_km2: Km2,
  cleared_km2: Km2,
  released_km2: Km2.describe('cancelled + reduced + cleared'),
  remaining_km2: Km2,
});

export const ExtensionAnnex = z
  .object({
    ...ReportHeader,
    ...Deadline,
    figures_source: z.enum(['polygons', 'reported', 'none']),
    baseline_km2: Km2.nullable().describe('area contaminated at the end of the entry-into-force day'),
    newly_found_km2: Km2.nullable().describe('area recorded since entry into force'),
    released_km2: z
      .object({ cancelled: Km2, reduced: Km2, cleared: Km2, total: Km2 })
      .nullable()
      .describe('since entry into force'),
    remaining_km2: Km2.nullable(),
    annual: z.array(AnnualRelease).describe('polygon-derived, entry-into-force year to the current year'),
    rate_km2_per_year: Km2.nullable(),
    rate_years: z.array(z.number().int()),
    projected_from: z
      .string()
      .describe('the day the projection starts (a reported figure stands at the end of its year)'),
    projected_completion: z.string().nullable(),
    required_rate_km2_per_year: Km2.nullable(),
    extension_years_needed: z.number().nullable(),
    extension_requests_needed: z.number().int().nullable(),
    max_extension_years: z.number().int(),
    requested: z.object({
      deadline: z.string().nullable(),
      basis: z
        .enum(['requested', 'default', 'none'])
        .describe('requested_deadline given, the default computed, or none computable'),
      extension_years: z.number().nullable().describe('years beyond the current deadline'),
      requests_of_max_length: z.number().int().nullable(),
      covers_projected_completion: z.boolean().nullable(),
    }),
    work_plan: WorkPlan.nullable().describe('the annual work plan of the plan given as plan_id; null without one'),
  })
  .meta({ id: 'ExtensionAnnex' });

export type Article7ReportOut = z.infer<typeof Article7Report>;
export type ExtensionAnnexOut = z.infer<typeof ExtensionAnnex>;
export type DeviceCounts = z.infer<typeof Devices>;
