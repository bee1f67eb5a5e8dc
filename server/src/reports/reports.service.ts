import type { z } from 'zod';
import type { Db } from '../db/pool.js';
import { resolveAsOf } from '../area/as-of.js';
import { km2 } from '../area/figures.js';
import { getTimeline } from '../countries/countries.service.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { todayUtc } from '../shared/dates.js';
import type { ObligationProgress } from '../progress/progress.schema.js';
import { getCountryProgress, TREATY_SCOPE } from '../progress/progress.service.js';
import type { TreatyName } from '../obligations/obligations.schema.js';
import { DEVICE_TYPES } from '../releases/releases.schema.js';
import { hazardsRemainingAt, releasesCompletedBetween, type ReportReleaseRow } from './reports.repository.js';
import type { Article7ReportOut, DeviceCounts } from './reports.schema.js';

type Obligation = z.infer<typeof ObligationProgress>;
type AsOf = ReturnType<typeof resolveAsOf>;

const METHODS = ['cancelled', 'reduced', 'cleared'] as const;

/** Sums of km² values that are each exact to the square metre, kept exact to the square metre. */
export const sumKm2 = (...values: number[]) => Math.round(values.reduce((sum, v) => sum + v, 0) * 1e6) / 1e6;

export const zeroDevices = (): DeviceCounts =>
  Object.fromEntries(DEVICE_TYPES.map((type) => [type, 0])) as DeviceCounts;

/** Devices of any number of releases, by type; a type the schema does not know is ignored. */
export function sumDevices(releases: Array<{ devices: Record<string, number> }>): DeviceCounts {
  const total = zeroDevices();
  for (const release of releases) {
    for (const type of DEVICE_TYPES) total[type] += Number(release.devices[type] ?? 0);
  }
  return total;
}

/** The country's progress and its obligation under the treaty; 404 when it has none. */
export async function progressOfObligation(db: Db, iso3: string, treaty: TreatyName, asOf: AsOf, thinShare: number) {
  const progress = await getCountryProgress(db, iso3, asOf, thinShare);
  const obligation = progress.obligations.find((o) => o.treaty === treaty);
  if (!obligation) {
    const article = treaty === 'CCM' ? 'Article 4' : 'Article 5';
    throw new HttpError(
      404,
      'not_found',
      `${progress.name} (${iso3}) has no ${treaty} ${article} clearance obligation`,
    );
  }
  return { progress, obligation };
}

/** The fields every report opens with, and the notes on where its figures come from. */
export function reportHeader(
  progress: Awaited<ReturnType<typeof getCountryProgress>>,
  obligation: Obligation,
  asOf: AsOf,
  generatedAt: Date,
) {
  const notes: string[] = [
    'Areas are derived from the hazard and land-release polygons recorded in Safeground: geodesic areas on the WGS 84 ' +
      'ellipsoid, approved releases only, exact to the square metre.',
  ];
  if (progress.synthetic_data) {
    notes.push(
      'DEMO DATA: this country has synthetic hazards generated for demonstration. These are not real contamination figures.',
    );
  }
  const coverage = obligation.coverage;
  if (coverage.thin) {
    notes.push(
      `Thin coverage: the polygons cover ${Math.round((coverage.share ?? 0) * 100)}% of the remaining area nationally ` +
        `reported for ${coverage.year ?? 'the latest year'}; polygon figures understate the contamination.`,
    );
  }
  if (obligation.source === 'reported') {
    notes.push(
      'Status and projection use the latest nationally reported figure, because the polygon data is missing or thin.',
    );
  }
  const basis = obligation.reported_basis;
  if (basis) {
    const years = basis.reported_years.length ? basis.reported_years.join(', ') : 'none';
    notes.push(
      `The national figure is from ${basis.figure_year} (${basis.age_years} years before ${asOf.date.slice(0, 4)})` +
        `${basis.stale ? ', stale' : ''}; releases were reported for ${years} of ${basis.window_years.join(', ')}` +
        ` (a rate needs ${basis.min_reported_years}).`,
    );
  }
  if (!obligation.verified) {
    notes.push(
      'UNVERIFIED: this obligation comes from a recalled source and awaits confirmation against a cited source.',
    );
  }
  const request = obligation.pending_extension;
  if (request) {
    notes.push(
      `Extension request${request.verified ? '' : ' (unverified)'}: ${request.requested_deadline ? `to ${request.requested_deadline}` : 'date not seen'}, ` +
        `${request.meeting_name}: ${request.decision} (source ${request.source}).`,
    );
  }
  return {
    iso3: progress.iso3,
    country: progress.name,
    treaty: obligation.treaty,
    article: obligation.article,
    contamination: obligation.contamination,
    generated_at: generatedAt.toISOString(),
    as_of: asOf.date,
    data_source: `polygons: hazards with ${obligation.contamination} and their approved land releases`,
    synthetic_data: progress.synthetic_data,
    coverage_thin: coverage.thin,
    notes,
  };
}

export function deadlineFields(obligation: Obligation) {
  return {
    entry_into_force: obligation.entry_into_force,
    original_deadline: obligation.original_deadline,
    current_deadline: obligation.current_deadline,
    extensions: obligation.extensions.map((e) => ({
      meeting: e.meeting,
      new_deadline: e.new_deadline,
      granted_on: e.granted_on,
    })),
    verified: obligation.verified,
    pending_extension: obligation.pending_extension,
    status: obligation.status,
    status_detail: obligation.status_detail,
    status_source: obligation.source,
    reported_basis: obligation.reported_basis,
  };
}

const reference = (externalRef: string | null, id: string) => externalRef ?? id;

function releaseRow(row: ReportReleaseRow) {
  const m2 = Math.round(row.area_m2);
  return {
    id: Number(row.id),
    reference: reference(row.external_ref, row.id),
    hazard_id: Number(row.hazard_id),
    hazard_reference: reference(row.hazard_external_ref, row.hazard_id),
    method: row.method,
    operator: row.operator,
    start_on: row.start_on,
    completed_on: row.completed_on,
    area_m2: m2,
    area_km2: km2(m2),
    devices: sumDevices([row]),
  };
}

/**
 * The Article 7 tables for one calendar year (CCM Form F, APMBC Forms C and F). Year figures
 * come from the engine's daily balances (the same as /timeline and the progress API's annual
 * row); the per-hazard and per-release tables list the records behind them.
 */
export async function article7Report(
  db: Db,
  iso3: string,
  treaty: TreatyName,
  requestedYear: number | undefined,
  thinShare: number,
  generatedAt = new Date(),
): Promise<Article7ReportOut> {
  const year = requestedYear ?? Number(todayUtc().slice(0, 4)) - 1;
  const asOf = resolveAsOf({ year });
  const { progress, obligation } = await progressOfObligation(db, iso3, treaty, asOf, thinShare);
  const eifYear = Number(obligation.entry_into_force.slice(0, 4));
  if (year < eifYear) {
    const message = `${treaty} entered into force for ${iso3} on ${obligation.entry_into_force}; there is no Article 7 report for ${year}`;
    throw badRequest(`query.year: ${message}`, [{ path: 'query.year', message }]);
  }
  const { scope, contamination } = TREATY_SCOPE[treaty];
  const [timeline, hazardRows, releaseRows] = await Promise.all([
    getTimeline(db, iso3, asOf, scope),
    hazardsRemainingAt(db, iso3, contamination, asOf.date),
    releasesCompletedBetween(db, iso3, contamination, `${year}-01-01`, asOf.date),
  ]);
  const balance = timeline.years.find((row) => row.year === year);
  const net = {
    cancelled: balance?.cancelled_km2 ?? 0,
    reduced: balance?.reduced_km2 ?? 0,
    cleared: balance?.cleared_km2 ?? 0,
  };

  const hazards = hazardRows.map((row) => {
    const m2 = Math.round(row.remaining_m2);
    return {
      id: Number(row.id),
      reference: reference(row.external_ref, row.id),
      name: row.name,
      province: row.province_code && row.province_name ? { code: row.province_code, name: row.province_name } : null,
      centroid: { lng: Math.round(row.lng * 1e7) / 1e7, lat: Math.round(row.lat * 1e7) / 1e7 },
      classification: row.classification,
      contamination: row.contamination,
      recorded_on: row.recorded_on,
      size_m2: m2,
      size_km2: km2(m2),
    };
  });
  const releases = releaseRows.map(releaseRow);
  const byMethod = METHODS.map((method) => {
    const listed = releases.filter((r) => r.method === method);
    return {
      method,
      releases: listed.length,
      listed_area_km2: km2(listed.reduce((sum, r) => sum + r.area_m2, 0)),
      net_released_km2: net[method],
      devices: sumDevices(listed),
    };
  });

  const header = reportHeader(progress, obligation, asOf, generatedAt);
  header.notes.push(
    "Remaining area is the area of the union of the hazards' remaining geometry at the end of the period: overlapping " +
      'hazards are counted once. It is not the sum of the sizes in the contaminated-areas table, where ground covered ' +
      'by two hazards appears under each.',
    'Released area by method: "net" is what each method took off the remaining area (each square metre once, within a ' +
      'day in the order cancelled, reduced, cleared); "listed" sums the release records, which can cover the same ground twice.',
  );
  if (asOf.date < `${year}-12-31`)
    header.notes.push(`The reporting period is not over: figures are as of ${asOf.date}.`);
  if (year === eifYear) {
    header.notes.push(
      `Entry into force (${obligation.entry_into_force}) fell within ${year}: the year figures cover the whole calendar year.`,
    );
  }
  header.notes.push('The deadline shown is the one in force today, including extensions granted after the period.');

  return {
    ...header,
    year,
    period: { start: `${year}-01-01`, end: `${year}-12-31` },
    contaminated_areas: { hazards, sum_of_sizes_km2: km2(hazards.reduce((sum, h) => sum + h.size_m2, 0)) },
    released_areas: { releases, by_method: byMethod },
    devices_destroyed: sumDevices(releases),
    summary: {
      baseline_km2: balance?.baseline_km2 ?? 0,
      newly_found_km2: balance?.newly_found_km2 ?? 0,
      cancelled_km2: net.cancelled,
      reduced_km2: net.reduced,
      cleared_km2: net.cleared,
      released_km2: sumKm2(net.cancelled, net.reduced, net.cleared),
      remaining_km2: balance?.remaining_km2 ?? 0,
      ...deadlineFields(obligation),
    },
  };
}
