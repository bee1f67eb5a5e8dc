import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { afterCommit } from '../db/data-changed.js';
import { type Actor, assertCanWriteHazards, governsCountry } from '../auth/actor.js';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { HazardPatch } from '../hazards/hazards.schema.js';
import { lockedHazard, updateHazardIn, versionConflict } from '../hazards/hazards.service.js';
import { HttpError, conflict, notFound } from '../http/http-error.js';
import { parseOrThrow } from '../http/route.js';
import { findRelease, isVisible } from '../releases/releases.repository.js';
import { generaliseHistory } from '../restrictions/restrictions.service.js';
import { getTask } from '../tasks/tasks.service.js';
import * as repo from './history.repository.js';
import type { HistoryChange, HistoryVersion } from './history.schema.js';

/** A feature as the audit log keeps it, and as a history version shows it. */
type Snapshot = NonNullable<HistoryVersion['feature']>;

// Bookkeeping that changes on every write (or, for remaining_m2, with releases rather than with
// the feature itself) would bury the real changes, so it is left out of `changes`; the full
// feature of each version still carries it.
const NOT_COMPARED = new Set(['id', 'version', 'created_at', 'updated_at', 'remaining_m2', 'warnings']);

const asSnapshot = (value: unknown): Snapshot | null =>
  value !== null && typeof value === 'object' ? (value as Snapshot) : null;

const versionIn = (snapshot: Snapshot | null): number | undefined => {
  const version = snapshot?.properties?.version;
  return typeof version === 'number' ? version : undefined;
};

/** Field-level differences between two consecutive versions of a feature (null = none before). */
export function diffFeatures(previous: Snapshot | null, next: Snapshot | null): HistoryChange[] {
  const changes: HistoryChange[] = [];
  if (!isDeepStrictEqual(previous?.geometry ?? null, next?.geometry ?? null)) {
    changes.push({ field: 'geometry', before: previous?.geometry ?? null, after: next?.geometry ?? null });
  }
  const keys = new Set([...Object.keys(previous?.properties ?? {}), ...Object.keys(next?.properties ?? {})]);
  for (const key of [...keys].filter((k) => !NOT_COMPARED.has(k)).sort()) {
    const before = previous?.properties?.[key] ?? null;
    const after = next?.properties?.[key] ?? null;
    if (!isDeepStrictEqual(before, after)) changes.push({ field: `properties.${key}`, before, after });
  }
  return changes;
}

/**
 * The audit trail as versions, oldest first. A version's number is the one its snapshot carries
 * (a deletion has none: it is the version after the one it removed), and its changes are against
 * the last version that had a feature, so an undelete shows what it changed relative to the state
 * that was deleted.
 */
export function toVersions(rows: repo.AuditRow[], showUsers: boolean): HistoryVersion[] {
  const versions: HistoryVersion[] = [];
  let lastFeature: Snapshot | null = null;
  let deleted = false;
  let number = 0;
  for (const row of rows) {
    const after = asSnapshot(row.after);
    const before = asSnapshot(row.before);
    number = versionIn(after) ?? (versionIn(before) ?? number) + 1;
    const isDeletion = row.action === 'delete';
    const feature = isDeletion ? null : after;
    let changes: HistoryChange[];
    if (isDeletion) changes = [{ field: 'deleted', before: false, after: true }];
    else {
      changes = diffFeatures(lastFeature, feature);
      if (deleted) changes.push({ field: 'deleted', before: true, after: false });
    }
    versions.push({
      version: number,
      action: row.action,
      at: new Date(row.at).toISOString(),
      user: showUsers && row.user_id !== null ? { id: String(row.user_id), email: row.email ?? '' } : null,
      changes,
      feature,
    });
    if (feature) lastFeature = feature;
    deleted = isDeletion;
  }
  return versions;
}

/** A live hazard's history is as public as the hazard; a deleted one's only for those who may restore it. */
export async function hazardHistory(db: Db, actor: Actor | null, id: string): Promise<{ versions: HistoryVersion[] }> {
  const hazard = await repo.findHazardAnyState(db, id);
  if (!hazard || (hazard.deleted_at !== null && !governsCountry(actor, hazard.country_iso3)))
    throw notFound(`hazard ${id}`);
  const versions = toVersions(await repo.auditTrail(db, 'hazard', id), actor !== null);
  // Sensitive locations: restricted countries' geometry as grid cells for readers outside their circle.
  return { versions: await generaliseHistory(db, actor, versions.reverse()) };
}

/** A release's history is visible to whoever may see the release (submitted ones are not public). */
export async function releaseHistory(db: Db, actor: Actor | null, id: string): Promise<{ versions: HistoryVersion[] }> {
  const release = await findRelease(db, id);
  if (!release || !isVisible(release, actor)) throw notFound(`release ${id}`);
  const versions = toVersions(await repo.auditTrail(db, 'release', id), actor !== null);
  // Sensitive locations: restricted countries' geometry as grid cells for readers outside their circle.
  return { versions: await generaliseHistory(db, actor, versions.reverse()) };
}

/** A task's history is visible to whoever may see the task (proposals are not public). */
export async function taskHistory(db: Db, actor: Actor | null, id: string): Promise<{ versions: HistoryVersion[] }> {
  await getTask(db, actor, id);
  const versions = toVersions(await repo.auditTrail(db, 'task', id), actor !== null);
  // Sensitive locations: restricted countries' geometry as grid cells for readers outside their circle.
  return { versions: await generaliseHistory(db, actor, versions.reverse()) };
}

function restorable(rows: repo.AuditRow[], hazardId: string, version: number): Snapshot {
  const found = toVersions(rows, false).find((v) => v.version === version);
  if (!found) throw notFound(`version ${version} of hazard ${hazardId}`);
  const feature = asSnapshot(found.feature);
  if (!feature?.geometry || !feature.properties) {
    throw new HttpError(
      400,
      'bad_request',
      `version ${version} of hazard ${hazardId} is its deletion; restore the version before it`,
      [{ path: 'body.version', message: 'a deletion has no geometry or properties to restore' }],
    );
  }
  return feature;
}

/**
 * Writes version `version`'s geometry and attributes back as a new version, through the same path
 * as a PATCH (geometry re-validated, inside-country check, area engine refreshed, version + 1),
 * audited as `restore`. A deleted hazard is undeleted first, inside the same transaction.
 */
export async function restoreHazard(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  expectedVersion: number,
  version: number,
) {
  return afterCommit(
    'hazards',
    db.transaction().execute(async (trx) => {
      const peek = await repo.findHazardAnyState(trx, id);
      if (!peek) throw notFound(`hazard ${id}`);
      assertCanWriteHazards(actor, peek.country_iso3);
      const snapshot = restorable(await repo.auditTrail(trx, 'hazard', id), id, version);
      const props = snapshot.properties!;
      const patch: z.infer<typeof HazardPatch> = parseOrThrow(
        HazardPatch,
        {
          geometry: snapshot.geometry,
          properties: {
            country: props.country,
            classification: props.classification,
            contamination: props.contamination,
            status: props.status,
            recorded_on: props.recorded_on,
            external_ref: props.external_ref ?? null,
            name: props.name ?? null,
            priority: props.priority ?? null,
          },
        },
        `version ${version}`,
      );
      const target = patch.properties!.country!;
      assertCanWriteHazards(actor, target);
      const current = await lockedHazard(trx, id, [target], { includeDeleted: true });
      if (current.version !== expectedVersion) throw versionConflict(current, expectedVersion);
      const ref = patch.properties!.external_ref;
      const holder = ref ? await repo.liveHazardWithReference(trx, target, ref, id) : undefined;
      if (holder) {
        throw conflict(`external_ref ${ref} now belongs to hazard ${holder} in ${target}; change that one first`, [
          { path: 'body.version', message: `version ${version} has external_ref ${ref}, which hazard ${holder} uses` },
        ]);
      }
      const wasDeleted = current.deleted_at !== null;
      if (wasDeleted) await repo.undeleteHazard(trx, id);
      return updateHazardIn(trx, config, actor, id, expectedVersion, patch, {
        action: 'restore',
        before: wasDeleted ? null : undefined,
        locked: current,
      });
    }),
  );
}
