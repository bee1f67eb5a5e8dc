import { onDataChanged, watchDataChanges } from '../db/data-changed.js';
import type { Config } from '../config.js';
import { countryExists } from '../geodata/countries.repository.js';
import type { Db } from '../db/pool.js';
import type { Actor } from '../auth/actor.js';
import { forbidden, notFound, unauthorized } from '../http/http-error.js';
import { geometryPolicy } from '../restrictions/restrictions.service.js';
import * as repo from './quality.repository.js';
import { QUALITY_CODES, type QualityCode, type QualityItem, type QualityReport } from './quality.schema.js';
import * as t from './quality.thresholds.js';

interface CheckDefinition {
  title: string;
  severity: 'error' | 'warning' | 'info';
  rule: (config: Config) => string;
}

const km = (m: number) => `${m / 1000} km`;

// Errors make figures wrong (a hazard counted twice, area outside the country); warnings are most
// likely mistakes to look at; info is worth knowing but usually fine.
const CHECKS: Record<QualityCode, CheckDefinition> = {
  repaired_geometry: {
    title: 'Geometries repaired on entry',
    severity: 'info',
    rule: () =>
      'Hazards and releases whose submitted polygon was invalid and repaired with ST_MakeValid; check the shape is what was meant.',
  },
  duplicate_geometry: {
    title: 'Duplicate hazard geometries',
    severity: 'error',
    rule: () =>
      `Hazards equal to an earlier hazard, or differing from it by less than ${t.DUPLICATE_MAX_DIFFERENCE_M2} m² (symmetric difference).`,
  },
  duplicate_reference: {
    title: 'Repeated references',
    severity: 'warning',
    rule: () => 'Hazards, or releases, sharing an external reference (ignoring case and blanks) with an earlier one.',
  },
  overlapping_hazards: {
    title: 'Overlapping hazards',
    severity: 'warning',
    rule: () =>
      `Pairs of hazards sharing at least ${t.OVERLAP_MIN_M2} m² (counted once in the figures, but often the same ground surveyed twice).`,
  },
  sliver: {
    title: 'Sliver polygons',
    severity: 'warning',
    rule: () =>
      `Hazard parts smaller than ${t.SLIVER_MIN_AREA_M2} m², or thin: area / perimeter² under ${t.SLIVER_MAX_THINNESS} ` +
      `and less than ${t.SLIVER_MAX_WIDTH_M} m wide on average.`,
  },
  needle: {
    title: 'Needles and spikes',
    severity: 'warning',
    rule: () =>
      `Hazards with a corner sharper than ${t.NEEDLE_MAX_ANGLE_DEG}°: a spike out of the polygon or a crack into it.`,
  },
  outside_country: {
    title: 'Hazards outside the country',
    severity: 'error',
    rule: (config) =>
      `Hazards reaching more than ${config.COUNTRY_TOLERANCE_M} m (COUNTRY_TOLERANCE_M) outside the country boundary.`,
  },
  release_outside_hazard: {
    title: 'Releases outside their hazard',
    severity: 'warning',
    rule: () =>
      `Releases with at least ${t.RELEASE_OUTSIDE_MIN_M2} m² outside their hazard: clipped off when recorded, or left outside by a later edit of the hazard.`,
  },
  vertex_gap: {
    title: 'Suspicious vertex gaps',
    severity: 'warning',
    rule: () =>
      `Hazards with consecutive vertices more than ${km(t.VERTEX_GAP_M)} apart (a mistyped coordinate or missing vertices).`,
  },
};

function toItem(iso3: string, row: repo.FindingRow): QualityItem {
  const id = Number(row.id);
  const [west = 0, south = 0, east = 0, north = 0] = row.bbox;
  return {
    entity: row.entity,
    id,
    reference: row.reference,
    detail: row.detail,
    ...(row.area_m2 === null ? {} : { area_m2: row.area_m2 }),
    bbox: [west, south, east, north],
    link: `/countries/${iso3}?${row.entity}=${id}`,
  };
}

/**
 * The country's data-quality report: every check, in a fixed order, even those that found nothing.
 * Its bounding boxes and details locate single hazards, so a country that restricts its polygons
 * (restrictions/) shows it only to those who see them exactly.
 */
export async function qualityReport(db: Db, config: Config, actor: Actor | null, iso3: string): Promise<QualityReport> {
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  if (!(await geometryPolicy(db, actor, iso3)).exact) {
    if (!actor) throw unauthorized(`${iso3} restricts its hazard locations; sign in to see its data-quality report`);
    throw forbidden(`${iso3} restricts its hazard locations; its data-quality report is for those who see them`);
  }
  return cachedReport(db, iso3, () => computeReport(db, config, iso3));
}

// A report over 100,000 hazards takes seconds, so each is kept until the data changes (a write by
// any process, see db/data-changed.ts), and only while such changes can be heard. A change
// replaces the whole store, so a report whose computation overlapped it is handed out, not kept.
let reports = new WeakMap<Db, Map<string, Promise<QualityReport>>>();
onDataChanged(() => {
  reports = new WeakMap();
});

function cachedReport(db: Db, iso3: string, compute: () => Promise<QualityReport>): Promise<QualityReport> {
  if (!watchDataChanges(db).listening) return compute();
  const perDb = reports.get(db) ?? new Map<string, Promise<QualityReport>>();
  reports.set(db, perDb);
  const existing = perDb.get(iso3);
  if (existing) return existing;
  const report = compute();
  perDb.set(iso3, report);
  report.catch(() => perDb.delete(iso3));
  return report;
}

async function computeReport(db: Db, config: Config, iso3: string): Promise<QualityReport> {
  const rows = await repo.qualityFindings(db, iso3, config.COUNTRY_TOLERANCE_M, t.ITEMS_PER_CHECK);
  const checks = QUALITY_CODES.map((code) => {
    const found = rows.filter((row) => row.code === code);
    const definition = CHECKS[code];
    return {
      code,
      title: definition.title,
      severity: definition.severity,
      rule: definition.rule(config),
      count: found.length ? Number(found[0]!.total) : 0,
      items: found.map((row) => toItem(iso3, row)),
    };
  });
  return { iso3, generated_at: new Date().toISOString(), checks };
}
