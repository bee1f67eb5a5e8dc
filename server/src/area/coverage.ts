import type { Db } from '../db/pool.js';
import type { resolveAsOf } from './as-of.js';
import { coverageByCountry } from './area.repository.js';

/** Default of COVERAGE_THIN_SHARE: under half of the reported area in polygons is thin. */
export const DEFAULT_THIN_SHARE = 0.5;

export interface CountryCoverage {
  share: number | null;
  year: number | null;
  thin: boolean;
}

export const NO_COVERAGE: CountryCoverage = { share: null, year: null, thin: false };

/** Per country: the share of its latest reported remaining area that its polygons cover. */
export async function countryCoverage(
  db: Db,
  asOf: ReturnType<typeof resolveAsOf>,
  thinShare: number,
  iso3?: string,
): Promise<Map<string, CountryCoverage>> {
  const rows = await coverageByCountry(db, asOf.year, iso3);
  return new Map(
    rows.map((row) => {
      const share = row.reported_km2 > 0 ? Math.round((row.polygon_km2 / row.reported_km2) * 1e4) / 1e4 : null;
      return [row.country_iso3, { share, year: row.year, thin: share !== null && share < thinShare }];
    }),
  );
}
