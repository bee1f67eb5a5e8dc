import { z } from 'zod';
import type { Db } from '../db/pool.js';
import type { resolveAsOf } from '../area/as-of.js';
import { yearlyBalance } from '../countries/countries.repository.js';
import { countryExists } from '../geodata/countries.repository.js';
import { foldTimeline } from '../countries/countries.service.js';
import { notFound } from '../http/http-error.js';
import { reportedFigures } from './progress.repository.js';
import { Coverage } from './progress.schema.js';
import { DEFAULT_THIN_SHARE, NO_COVERAGE, countryCoverage } from '../area/coverage.js';

type AsOf = ReturnType<typeof resolveAsOf>;

const KINDS = ['ap_mines', 'cmr', 'erw', 'all'] as const;
const Km2 = z.number();

const Figures = z.object({
  remaining_km2: Km2.nullable(),
  cancelled_km2: Km2.nullable(),
  reduced_km2: Km2.nullable(),
  cleared_km2: Km2.nullable(),
});

export const Reconciliation = z
  .object({
    iso3: z.string(),
    as_of: z.string(),
    coverage: Coverage,
    thin_share: z.number().describe('COVERAGE_THIN_SHARE in force'),
    rows: z.array(
      z.object({
        year: z.number().int(),
        contamination: z.enum(KINDS).describe("'all' compares all polygon contamination with the national total"),
        polygon: Figures.describe('remaining at year end and released during the year, from the polygons'),
        reported: z
          .array(Figures.extend({ source: z.string(), confidence: z.string() }))
          .describe('every national figure for that year and type; blank = not reported'),
        difference_km2: Km2.nullable().describe('polygon remaining minus the first reported remaining'),
        coverage_share: z.number().nullable().describe('polygon remaining / reported remaining'),
      }),
    ),
  })
  .meta({ id: 'Reconciliation' });

/**
 * Polygon-derived figures beside the nationally reported ones, per year and contamination type,
 * so that gaps in either are visible. Never blends the two.
 */
export async function getReconciliation(
  db: Db,
  iso3: string,
  asOf: AsOf,
  thinShare = DEFAULT_THIN_SHARE,
): Promise<z.infer<typeof Reconciliation>> {
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  const reported = await reportedFigures(db, iso3, asOf.year);
  const polygon = new Map<string, z.infer<typeof Figures>>();
  for (const kind of KINDS) {
    const balances =
      kind === 'all'
        ? await yearlyBalance(db, iso3, 'all', '', asOf.date)
        : await yearlyBalance(db, iso3, 'contamination', kind, asOf.date);
    for (const y of foldTimeline(balances, asOf.year)) {
      const { remaining_km2, cancelled_km2, reduced_km2, cleared_km2 } = y;
      polygon.set(`${y.year} ${kind}`, { remaining_km2, cancelled_km2, reduced_km2, cleared_km2 });
    }
  }
  const empty = { remaining_km2: 0, cancelled_km2: 0, reduced_km2: 0, cleared_km2: 0 };
  const keys = new Set([
    ...reported.map((r) => `${r.year} ${r.contamination}`),
    ...[...polygon].filter(([, f]) => f.remaining_km2).map(([k]) => k),
  ]);
  const rows = [...keys]
    .map((key) => {
      const [yearText, contamination] = key.split(' ') as [string, (typeof KINDS)[number]];
      const year = Number(yearText);
      const own = reported.filter((r) => r.year === year && r.contamination === contamination);
      const poly = polygon.get(key) ?? empty;
      const compared = own.find((r) => r.remaining_km2 !== null);
      const difference = compared
        ? Math.round(((poly.remaining_km2 ?? 0) - compared.remaining_km2!) * 1e6) / 1e6
        : null;
      const share = compared?.remaining_km2
        ? Math.round(((poly.remaining_km2 ?? 0) / compared.remaining_km2) * 1e4) / 1e4
        : null;
      return {
        year,
        contamination,
        polygon: poly,
        reported: own.map(({ remaining_km2, cancelled_km2, reduced_km2, cleared_km2, source, confidence }) => ({
          remaining_km2,
          cancelled_km2,
          reduced_km2,
          cleared_km2,
          source,
          confidence,
        })),
        difference_km2: difference,
        coverage_share: share,
      };
    })
    .sort((a, b) => a.year - b.year || KINDS.indexOf(a.contamination) - KINDS.indexOf(b.contamination));
  const coverage = (await countryCoverage(db, asOf, thinShare, iso3)).get(iso3) ?? NO_COVERAGE;
  return { iso3, as_of: asOf.date, coverage, thin_share: thinShare, rows };
}
