import type { Config } from '../config.js';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { type Actor, assertCanWriteHazards } from '../auth/actor.js';
import { lockCountries, refreshHazards } from '../area/area.repository.js';
import { writeAudit } from '../audit/audit.repository.js';
import { checkGeometry, roundCoordinates } from '../geometry/geometry.service.js';
import { HttpError, conflict, notFound } from '../http/http-error.js';
import { writeTransaction } from '../http/dry-run.js';
import type { FeatureText, ReadChunk } from '../http/feature-stream.js';
import * as repo from './hazards.repository.js';
import type { HazardCreate, HazardOut, HazardPatch } from './hazards.schema.js';
import type { z } from 'zod';
import { PUBLISHED_DIGITS } from '../geo/coordinates.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { asSeen } from '../restrictions/disclosure.js';

type HazardFeature = z.infer<typeof HazardOut>;

export function toFeature(row: repo.HazardRecord, warnings: string[] = row.warnings): HazardFeature {
  const id = Number(row.id);
  const feature: HazardFeature = {
    type: 'Feature',
    id,
    geometry: row.geometry,
    properties: {
      id,
      country: row.country_iso3,
      classification: row.classification,
      contamination: row.contamination,
      status: row.status,
      recorded_on: row.recorded_on,
      external_ref: row.external_ref,
      name: row.name,
      priority: row.priority,
      area_m2: row.area_m2,
      remaining_m2: row.remaining_m2,
      version: row.version,
      warnings,
      synthetic: row.synthetic,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    },
  };
  // Outside a restricted country's circle: grid cells, and no free text.
  return asSeen(feature, row.generalised_cell_km);
}

const featureName = (ref: string | null | undefined, id?: string) =>
  ref ? `hazard ${ref}` : id ? `hazard ${id}` : 'hazard';

/** Geometry as the reader may see it: restricted countries' polygons become grid cells (restrictions/). */
export async function getHazard(db: Db, actor: Actor | null, id: string): Promise<HazardFeature> {
  const row = await repo.findHazard(db, id, { exact: exactGeometryScope(actor) });
  if (!row) throw notFound(`hazard ${id}`);
  return toFeature(row);
}

/** A written hazard as a GET shows it; the audit log keeps the coordinates at full precision. */
const published = (feature: HazardFeature): HazardFeature => ({
  ...feature,
  geometry: roundCoordinates(feature.geometry, PUBLISHED_DIGITS),
});

/**
 * The hazards GET /hazards selects (with `export`: in the exports' columns) as the reader may see
 * them, read a chunk at a time as GeoJSON texts the database builds in toFeature's shape.
 */
export function hazardTexts(
  db: Db,
  actor: Actor | null,
  filter: repo.HazardFilter,
  options: { export?: boolean } = {},
): ReadChunk<FeatureText> {
  const exact = exactGeometryScope(actor);
  return (after, limit) => repo.listHazardTexts(db, filter, exact, { after, limit, export: options.export });
}

export async function createHazard(
  db: Db,
  config: Config,
  actor: Actor,
  input: z.infer<typeof HazardCreate>,
  options: { dryRun?: boolean } = {},
) {
  const props = input.properties;
  assertCanWriteHazards(actor, props.country);
  const feature = featureName(props.external_ref);
  return writeTransaction(db, 'hazards', options.dryRun ?? false, async (trx) => {
    await lockCountries(trx, [props.country]);
    const geometry = await checkGeometry(trx, config, input.geometry, props.country, feature);
    const warnings = geometry.warnings;
    const id = await repo.insertHazard(trx, {
      country_iso3: props.country,
      classification: props.classification,
      contamination: props.contamination,
      status: props.status,
      recorded_on: props.recorded_on,
      external_ref: props.external_ref ?? null,
      name: props.name ?? null,
      priority: props.priority ?? null,
      ewkb: geometry.ewkb,
      area_m2: geometry.areaM2,
      warnings,
      created_by: actor.id,
    });
    await refreshHazards(trx, [id], true);
    const created = toFeature((await repo.findHazardForWrite(trx, id))!, warnings);
    await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'hazard', entityId: id, after: created });
    return published(created);
  });
}

export async function updateHazard(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: z.infer<typeof HazardPatch>,
  options: { dryRun?: boolean } = {},
) {
  return writeTransaction(db, 'hazards', options.dryRun ?? false, (trx) =>
    updateHazardIn(trx, config, actor, id, expectedVersion, patch),
  );
}

/**
 * A PATCH inside the caller's transaction (which must announce the change after commit). A restore
 * (server/src/history) reuses it so that it is validated, refreshed and versioned exactly like an
 * edit; `audit` names its action, for an undelete the `before` it records, and the row it has
 * locked already.
 */
export async function updateHazardIn(
  trx: Db,
  config: Config,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: z.infer<typeof HazardPatch>,
  audit: { action: string; before?: HazardFeature | null; locked?: repo.HazardRecord } = { action: 'update' },
): Promise<HazardFeature> {
  const target = patch.properties?.country;
  const current = audit.locked ?? (await lockedHazard(trx, id, target ? [target] : []));
  const props = { ...current, ...renameCountry(patch.properties ?? {}) };
  assertCanWriteHazards(actor, current.country_iso3);
  assertCanWriteHazards(actor, props.country_iso3);
  if (current.version !== expectedVersion) throw versionConflict(current, expectedVersion);

  const feature = featureName(props.external_ref, id);
  const moved = props.country_iso3 !== current.country_iso3;
  // A new geometry, or the stored one moved to another country, is held to the same rule.
  const checked = patch.geometry
    ? await checkGeometry(trx, config, patch.geometry, props.country_iso3, feature)
    : moved
      ? await checkGeometry(trx, config, await repo.hazardEwkb(trx, id), props.country_iso3, feature)
      : undefined;
  const geometry = patch.geometry ? checked : undefined;
  const warnings = checked ? [...checked.warnings] : [];
  if (checked) {
    const outsideReleases = await repo.releasedAreaOutside(trx, id, checked.ewkb);
    if (outsideReleases > 0.5) {
      warnings.push(
        `${Math.round(outsideReleases)} m² of this hazard's approved releases now lie outside it and no longer count`,
      );
    }
  }
  await repo.updateHazard(trx, id, {
    country_iso3: props.country_iso3,
    classification: props.classification,
    contamination: props.contamination,
    status: props.status,
    recorded_on: props.recorded_on,
    external_ref: props.external_ref ?? null,
    name: props.name ?? null,
    priority: props.priority ?? null,
    geometry: geometry ? { ewkb: geometry.ewkb, area_m2: geometry.areaM2 } : undefined,
    warnings: geometry ? warnings : current.warnings,
  });
  const geometryChanged = Boolean(geometry) || moved;
  // recorded_on moves the hazard between years, so its cluster's yearly rows change too.
  await refreshHazards(trx, [id], geometryChanged);
  const updated = toFeature((await repo.findHazardForWrite(trx, id))!, warnings);
  const before = audit.before === undefined ? toFeature(current) : (audit.before ?? undefined);
  await writeAudit(trx, {
    userId: actor.id,
    action: audit.action,
    entity: 'hazard',
    entityId: id,
    before,
    after: updated,
  });
  return published(updated);
}

export async function deleteHazard(db: Db, actor: Actor, id: string, expectedVersion: number) {
  await afterCommit(
    'hazards',
    db.transaction().execute(async (trx) => {
      const current = await lockedHazard(trx, id);
      assertCanWriteHazards(actor, current.country_iso3);
      if (current.version !== expectedVersion) throw versionConflict(current, expectedVersion);
      await repo.softDeleteHazard(trx, id);
      await refreshHazards(trx, [id], true);
      await writeAudit(trx, {
        userId: actor.id,
        action: 'delete',
        entity: 'hazard',
        entityId: id,
        before: toFeature(current),
      });
    }),
  );
}

// The country lock must come before any row lock (see sg_lock_country), so the hazard is read
// once to learn its country, that country and any the write moves it to are locked together (in
// order: two opposite moves must not each hold one), then the row is locked and re-read. If it
// moved in between, the locks taken are the wrong ones and the writer retries.
// A restore (server/src/history) may lock a deleted hazard to undelete it.
export async function lockedHazard(
  trx: Db,
  id: string,
  alsoLock: string[] = [],
  options: { includeDeleted?: boolean } = {},
): Promise<repo.HazardRecord> {
  const peek = await repo.findHazardForWrite(trx, id, options);
  if (!peek) throw notFound(`hazard ${id}`);
  await lockCountries(trx, [peek.country_iso3, ...alsoLock]);
  const row = await repo.findHazardForWrite(trx, id, { ...options, forUpdate: true });
  if (!row) throw notFound(`hazard ${id}`);
  if (row.country_iso3 !== peek.country_iso3) {
    throw conflict(`hazard ${id} moved from ${peek.country_iso3} to ${row.country_iso3} during this request; retry it`);
  }
  return row;
}

export function versionConflict(
  current: Pick<repo.HazardRecord, 'id' | 'version' | 'updated_at'>,
  expected: number,
): HttpError {
  return conflict(`hazard ${current.id} is at version ${current.version}, not ${expected}: someone else changed it`, [
    {
      path: 'headers.if-match',
      message: `current version is ${current.version}; reload it (updated ${current.updated_at.toISOString()})`,
    },
  ]);
}

function renameCountry<T extends { country?: string }>(props: T) {
  const { country, ...rest } = props;
  return country === undefined ? rest : { ...rest, country_iso3: country };
}
