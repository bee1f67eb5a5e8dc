import { type Actor, assertCanRestrictCountry } from '../auth/actor.js';
import { notFound } from '../http/http-error.js';
import { afterCommit } from '../db/data-changed.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { Db } from '../db/pool.js';
import * as repo from './restrictions.repository.js';
import { EVERY_COUNTRY, type ExactScope } from './restrictions.repository.js';
import { type FigureView, disclosedAsOf, isWithheldChange, roundToUnit, withholdText } from './disclosure.js';

export { EVERY_COUNTRY, type ExactScope };

/**
 * Whose eyes a restricted country's exact polygons are for (the rule, in one place):
 *  - admins: every country;
 *  - a national authority: its own country;
 *  - operators: the countries where they may record releases (as auth/actor.ts
 *    assertCanRecordRelease): their account's country, or every country when the account has no
 *    country scope. Clearing land and reporting it needs the real polygons;
 *  - viewers, donors and anonymous readers: none.
 * Countries that are not restricted are exact for everybody. National figures (country, progress,
 * report and timeline endpoints) carry no geometry and are exact for everybody; what else outside
 * readers may learn (free text, province figures, tile cells' areas) is ruled in disclosure.ts.
 */
export function exactGeometryScope(actor: Actor | null): ExactScope {
  switch (actor?.role) {
    case 'admin':
      return EVERY_COUNTRY;
    case 'national_authority':
      return actor.country_iso3 ? [actor.country_iso3] : [];
    case 'operator':
      return actor.country_iso3 ? [actor.country_iso3] : EVERY_COUNTRY;
    default:
      return [];
  }
}

export type GeometryPolicy = { exact: true } | { exact: false; cell_km: number };

/** How this reader may see the polygons of one country. */
export async function geometryPolicy(db: Db, actor: Actor | null, iso3: string): Promise<GeometryPolicy> {
  const exact = exactGeometryScope(actor);
  if (exact.includes('*') || exact.includes(iso3)) return { exact: true };
  const cellKm = (await repo.restrictedAmong(db, [iso3])).get(iso3);
  return cellKm === undefined ? { exact: true } : { exact: false, cell_km: cellKm };
}

/** A GeoJSON geometry of one country as this reader may see it (e.g. the before/after of a history change). */
export async function generaliseGeometry(
  db: Db,
  actor: Actor | null,
  iso3: string,
  geometry: unknown,
): Promise<unknown> {
  if (geometry === null || geometry === undefined) return geometry;
  const policy = await geometryPolicy(db, actor, iso3);
  return policy.exact ? geometry : (await inCells(db, [{ geometry, cellKm: policy.cell_km }]))[0];
}

/** Geometries in cells of their cellKm, all in one round trip; an empty geometry stays as it is. */
async function inCells(db: Db, requests: Array<{ geometry: unknown; cellKm: number }>): Promise<unknown[]> {
  const cells = await repo.generaliseGeoJsons(
    db,
    requests.filter((r) => r.geometry),
  );
  let next = 0;
  return requests.map((r) => (r.geometry ? cells[next++] : r.geometry));
}

interface CountryFeature {
  geometry: unknown;
  properties: Record<string, unknown>;
}

/** The countries of these features that are restricted and hidden from a reader with this exact scope. */
async function hiddenAmong(db: Db, exact: ExactScope, countries: unknown[]): Promise<Map<string, number>> {
  const hidden = new Set<string>();
  for (const country of countries) if (typeof country === 'string' && !exact.includes(country)) hidden.add(country);
  return repo.restrictedAmong(db, [...hidden]);
}

/** generaliseFeatures, once the hidden countries (with their cell sizes) are known. */
async function featuresInCells<F extends CountryFeature | null>(
  db: Db,
  hidden: Map<string, number>,
  features: F[],
): Promise<F[]> {
  const cellKms = features.map((f) => (f ? hidden.get(String(f.properties.country)) : undefined));
  const geometries = await inCells(
    db,
    features.flatMap((f, i) => (f && cellKms[i] !== undefined ? [{ geometry: f.geometry, cellKm: cellKms[i] }] : [])),
  );
  let next = 0;
  return features.map((feature, i) => {
    const cellKm = cellKms[i];
    if (!feature || cellKm === undefined) return feature;
    return {
      ...feature,
      geometry: geometries[next++],
      properties: withholdText({ ...feature.properties, generalised: true, cell_km: cellKm }),
    };
  });
}

/**
 * GeoJSON Features (hazards or releases, country in properties.country) as this reader may see
 * them: for a restricted country outside the reader's scope the geometry becomes grid cells and
 * the properties gain generalised: true and cell_km, as in GET /hazards. For features kept
 * outside the live tables, such as the audit log's history. Null entries pass through. A fixed
 * number of queries, however many features.
 */
export async function generaliseFeatures<F extends CountryFeature | null>(
  db: Db,
  actor: Actor | null,
  features: F[],
): Promise<F[]> {
  const exact = exactGeometryScope(actor);
  if (exact.includes('*')) return features;
  const hidden = await hiddenAmong(
    db,
    exact,
    features.map((f) => f?.properties.country),
  );
  return hidden.size === 0 ? features : featuresInCells(db, hidden, features);
}

interface HistoryEntry {
  feature: unknown;
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

const asCountryFeature = (value: unknown): CountryFeature | null =>
  value !== null &&
  typeof value === 'object' &&
  'properties' in value &&
  typeof value.properties === 'object' &&
  value.properties !== null
    ? (value as CountryFeature)
    : null;

/**
 * A feature's history (server/src/history) as this reader may see it: each version's feature by
 * its own country's rule, and the before/after geometries of `geometry` changes in the coarsest
 * cells of any hidden country the feature has been in (a hazard can move between countries);
 * changes of withheld free text (disclosure.ts) are left out. A fixed number of queries, however
 * many versions.
 */
export async function generaliseHistory<V extends HistoryEntry>(
  db: Db,
  actor: Actor | null,
  versions: V[],
): Promise<V[]> {
  const exact = exactGeometryScope(actor);
  if (exact.includes('*')) return versions;
  const hidden = await hiddenAmong(
    db,
    exact,
    versions.map((v) => asCountryFeature(v.feature)?.properties.country),
  );
  if (hidden.size === 0) return versions;
  const cellKm = Math.max(...hidden.values());
  const kept = versions.map((v) => v.changes.filter((c) => !isWithheldChange(c.field)));
  const moved = kept.flat().filter((c) => c.field === 'geometry');
  const [features, cells] = await Promise.all([
    featuresInCells(
      db,
      hidden,
      versions.map((v) => asCountryFeature(v.feature)),
    ),
    inCells(
      db,
      moved.flatMap((c) => [
        { geometry: c.before, cellKm },
        { geometry: c.after, cellKm },
      ]),
    ),
  ]);
  const inCellsOf = new Map(moved.map((c, i) => [c, { ...c, before: cells[2 * i], after: cells[2 * i + 1] }]));
  return versions.map((v, i) => ({
    ...v,
    feature: v.feature === null ? null : features[i],
    changes: kept[i]!.map((c) => inCellsOf.get(c) ?? c),
  }));
}

interface ReportHazard {
  id: number;
  name: string | null;
  province: { code: string; name: string } | null;
  centroid: { lng: number; lat: number };
}

/**
 * The Article 7 report's hazards as this reader may see them: where the country is restricted, a
 * hazard's point is the centre of its grid cell, its province the one containing that centre, its
 * name withheld, and the rows ordered by that province, so neither the column nor the order tells
 * which side of a province boundary inside the cell the hazard lies. Figures stay as they are.
 */
export async function generaliseReportHazards<T extends ReportHazard>(
  db: Db,
  actor: Actor | null,
  iso3: string,
  items: T[],
): Promise<T[]> {
  const policy = await geometryPolicy(db, actor, iso3);
  if (policy.exact || items.length === 0) return items;
  const centres = await repo.generalisePoints(
    db,
    iso3,
    items.map((item) => item.centroid),
    policy.cell_km,
  );
  const generalised = items.map((item, i) => {
    const { lng, lat, code, name } = centres[i]!;
    return withholdText({ ...item, centroid: { lng, lat }, province: code && name ? { code, name } : null });
  });
  const provinceName = (item: T) => item.province?.name ?? '\uffff';
  return generalised.sort((a, b) =>
    provinceName(a) < provinceName(b) ? -1 : provinceName(a) > provinceName(b) ? 1 : a.id - b.id,
  );
}

/** Province remaining area of a day (m²), as the caller computes it exactly. */
export interface ProvinceRemaining {
  country_iso3: string;
  code: string;
  m2: number;
}

/**
 * Province figures (m² by province code) as a reader with this exact scope may see them: exact,
 * or for each country hidden from the reader as of disclosedAsOf(date) and rounded to its
 * disclosure unit (disclosure.ts). `remainingAt` gives the exact figures of a day (of `iso3`
 * only, when given); `viewOf` says how a country's figures were given.
 */
export async function provinceFigures(
  db: Db,
  exact: ExactScope,
  date: string,
  iso3: string | undefined,
  remainingAt: (date: string) => Promise<ProvinceRemaining[]>,
): Promise<{ m2: Map<string, number>; viewOf: (iso3: string) => FigureView }> {
  const hidden = await repo.hiddenCountries(db, exact, iso3);
  const coarse = disclosedAsOf(date);
  const [now, then] = await Promise.all([
    remainingAt(date),
    hidden.size > 0 && coarse !== date ? remainingAt(coarse) : undefined,
  ]);
  const m2 = new Map<string, number>();
  for (const row of now) if (!hidden.has(row.country_iso3)) m2.set(row.code, row.m2);
  for (const row of then ?? now) {
    const unit = hidden.get(row.country_iso3);
    if (unit !== undefined) m2.set(row.code, roundToUnit(row.m2, unit));
  }
  const viewOf = (country: string): FigureView => {
    const unit = hidden.get(country);
    return unit === undefined ? { as_of: date, unit_m2: null } : { as_of: coarse, unit_m2: unit };
  };
  return { m2, viewOf };
}

/** Sets a country's restriction, audited; every cached tile is dropped once it commits. */
export async function setRestriction(
  db: Db,
  actor: Actor,
  iso3: string,
  change: { restricted: boolean; cell_km: number },
) {
  assertCanRestrictCountry(actor, iso3);
  return afterCommit(
    'countries',
    db.transaction().execute(async (trx) => {
      const before = await repo.findRestriction(trx, iso3, { forUpdate: true });
      if (!before) throw notFound(`country ${iso3}`);
      await repo.updateRestriction(trx, iso3, change.restricted, change.cell_km);
      const after = { iso3, restricted: change.restricted, cell_km: change.cell_km };
      await writeAudit(trx, {
        userId: actor.id,
        action: 'restriction',
        entity: 'country',
        entityId: iso3,
        before,
        after,
      });
      return after;
    }),
  );
}
