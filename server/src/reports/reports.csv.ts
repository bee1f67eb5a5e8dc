import { type CsvValue, csvTable } from '../shared/csv.js';
import { DEVICE_TYPES } from '../releases/releases.schema.js';
import type { Article7ReportOut, DeviceCounts, ExtensionAnnexOut } from './reports.schema.js';

type Cell = CsvValue;
type Row = Record<string, Cell>;

const deviceColumns = DEVICE_TYPES.map((type) => `devices_${type}`);
const deviceCells = (devices: DeviceCounts): Row =>
  Object.fromEntries(DEVICE_TYPES.map((type) => [`devices_${type}`, devices[type]]));

const fieldRows = (section: string, values: Record<string, Cell>): Row[] =>
  Object.entries(values).map(([field, value]) => ({ section, field, value }));

function headerRows(report: Article7ReportOut | ExtensionAnnexOut): Row[] {
  return [
    ...fieldRows('header', {
      country: report.country,
      iso3: report.iso3,
      treaty: report.treaty,
      article: report.article,
      contamination: report.contamination,
      ...('period' in report ? { period_start: report.period.start, period_end: report.period.end } : {}),
      as_of: report.as_of,
      generated_at: report.generated_at,
      data_source: report.data_source,
      synthetic_data: report.synthetic_data,
      coverage_thin: report.coverage_thin,
    }),
    ...report.notes.map((note) => ({ section: 'note', value: note })),
  ];
}

const deadlineRows = (section: string, report: Article7ReportOut['summary'] | ExtensionAnnexOut): Row[] => [
  ...fieldRows(section, {
    entry_into_force: report.entry_into_force,
    original_deadline: report.original_deadline,
    current_deadline: report.current_deadline,
    verified: report.verified,
    pending_requested_deadline: report.pending_extension?.requested_deadline,
    pending_meeting: report.pending_extension?.meeting,
    pending_decision: report.pending_extension?.decision,
    pending_verified: report.pending_extension?.verified,
    status: report.status,
    status_detail: report.status_detail,
    status_source: report.status_source,
    reported_figure_year: report.reported_basis?.figure_year,
    reported_figure_stale: report.reported_basis?.stale,
    reported_release_years: report.reported_basis?.reported_years.join(';'),
  }),
  ...report.extensions.map((e) => ({ section, field: `extension_${e.meeting}`, value: e.new_deadline })),
];

export const ARTICLE7_COLUMNS = [
  'section',
  'reference',
  'name',
  'hazard_reference',
  'province_code',
  'province_name',
  'lng',
  'lat',
  'classification',
  'contamination',
  'recorded_on',
  'method',
  'operator',
  'start_on',
  'completed_on',
  'releases',
  'area_m2',
  'area_km2',
  'net_km2',
  ...deviceColumns,
  'field',
  'value',
] as const;

/**
 * The Article 7 report as one table: a `section` column says what each row is (header, note,
 * contaminated_area, release, release_total, devices_destroyed, summary); columns a section does
 * not use stay empty.
 */
export function article7Csv(report: Article7ReportOut): string {
  const { summary } = report;
  const rows: Row[] = [
    ...headerRows(report),
    ...report.contaminated_areas.hazards.map((h) => ({
      section: 'contaminated_area',
      reference: h.reference,
      name: h.name,
      province_code: h.province?.code,
      province_name: h.province?.name,
      lng: h.centroid.lng,
      lat: h.centroid.lat,
      classification: h.classification,
      contamination: h.contamination.join(';'),
      recorded_on: h.recorded_on,
      area_m2: h.size_m2,
      area_km2: h.size_km2,
    })),
    ...report.released_areas.releases.map((r) => ({
      section: 'release',
      reference: r.reference,
      hazard_reference: r.hazard_reference,
      method: r.method,
      operator: r.operator,
      start_on: r.start_on,
      completed_on: r.completed_on,
      area_m2: r.area_m2,
      area_km2: r.area_km2,
      ...deviceCells(r.devices),
    })),
    ...report.released_areas.by_method.map((m) => ({
      section: 'release_total',
      method: m.method,
      releases: m.releases,
      area_km2: m.listed_area_km2,
      net_km2: m.net_released_km2,
      ...deviceCells(m.devices),
    })),
    ...fieldRows('devices_destroyed', report.devices_destroyed),
    ...fieldRows('summary', {
      baseline_km2: summary.baseline_km2,
      newly_found_km2: summary.newly_found_km2,
      cancelled_km2: summary.cancelled_km2,
      reduced_km2: summary.reduced_km2,
      cleared_km2: summary.cleared_km2,
      released_km2: summary.released_km2,
      remaining_km2: summary.remaining_km2,
      sum_of_listed_sizes_km2: report.contaminated_areas.sum_of_sizes_km2,
    }),
    ...deadlineRows('summary', summary),
  ];
  return csvTable(ARTICLE7_COLUMNS, rows);
}

export const EXTENSION_COLUMNS = [
  'section',
  'year',
  'newly_found_km2',
  'cancelled_km2',
  'reduced_km2',
  'cleared_km2',
  'released_km2',
  'remaining_km2',
  'field',
  'value',
] as const;

/** The extension annex as one table: header, note, figure and annual rows. */
export function extensionCsv(annex: ExtensionAnnexOut): string {
  const rows: Row[] = [
    ...headerRows(annex),
    ...fieldRows('figure', {
      figures_source: annex.figures_source,
      baseline_km2: annex.baseline_km2,
      newly_found_km2: annex.newly_found_km2,
      released_cancelled_km2: annex.released_km2?.cancelled,
      released_reduced_km2: annex.released_km2?.reduced,
      released_cleared_km2: annex.released_km2?.cleared,
      released_total_km2: annex.released_km2?.total,
      remaining_km2: annex.remaining_km2,
      rate_km2_per_year: annex.rate_km2_per_year,
      rate_years: annex.rate_years.join(';'),
      projected_from: annex.projected_from,
      projected_completion: annex.projected_completion,
      required_rate_km2_per_year: annex.required_rate_km2_per_year,
      extension_years_needed: annex.extension_years_needed,
      extension_requests_needed: annex.extension_requests_needed,
      max_extension_years: annex.max_extension_years,
      requested_deadline: annex.requested.deadline,
      requested_deadline_basis: annex.requested.basis,
      requested_extension_years: annex.requested.extension_years,
      requested_requests_of_max_length: annex.requested.requests_of_max_length,
      requested_covers_projected_completion: annex.requested.covers_projected_completion,
    }),
    ...deadlineRows('figure', annex),
    ...annex.annual.map((row) => ({ section: 'annual', ...row })),
    ...(annex.work_plan
      ? [
          ...fieldRows('work_plan', {
            plan_id: annex.work_plan.plan_id,
            plan_name: annex.work_plan.name,
            plan_scope: annex.work_plan.scope,
            plan_start_on: annex.work_plan.start_on,
            plan_completion_on: annex.work_plan.completion_on,
          }),
          ...annex.work_plan.years.map((row) => ({ section: 'work_plan', ...row })),
        ]
      : []),
  ];
  return csvTable(EXTENSION_COLUMNS, rows);
}
