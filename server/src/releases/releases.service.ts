import type { z } from 'zod';
import { afterCommit } from '../db/data-changed.js';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { type Actor, assertCanRecordRelease, assertCanReview, recordsApprovedReleases } from '../auth/actor.js';
import { lockCountries, refreshHazards } from '../area/area.repository.js';
import { writeAudit } from '../audit/audit.repository.js';
import { checkGeometry } from '../geometry/geometry.service.js';
import { findHazardHeader } from '../hazards/hazards.repository.js';
import { HttpError, badRequest, conflict, forbidden, geometryRejected, notFound } from '../http/http-error.js';
import { writeTransaction } from '../http/dry-run.js';
import { featurePage } from '../http/pagination.js';
import * as repo from './releases.repository.js';
import type { ReleaseCollection, ReleaseCreate, ReleaseListQuery, ReleaseOut } from './releases.schema.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { asSeen } from '../restrictions/disclosure.js';

type ReleaseFeature = z.infer<typeof ReleaseOut>;

export function toFeature(row: repo.ReleaseRecord, warnings: string[] = row.warnings): ReleaseFeature {
  const id = Number(row.id);
  const feature: ReleaseFeature = {
    type: 'Feature',
    id,
    geometry: row.geometry,
    properties: {
      id,
      hazard_id: Number(row.hazard_id),
      country: row.country_iso3,
      method: row.method,
      start_on: row.start_on,
      completed_on: row.completed_on,
      organisation_id: row.organisation_id === null ? null : Number(row.organisation_id),
      task_id: row.task_id === null ? null : Number(row.task_id),
      devices: row.devices,
      external_ref: row.external_ref,
      status: row.status,
      reject_reason: row.reject_reason,
      area_m2: row.area_m2,
      clipped_m2: row.clipped_m2,
      version: row.version,
      warnings,
      synthetic: row.synthetic,
      created_at: row.created_at.toISOString(),
      reviewed_at: row.reviewed_at ? new Date(row.reviewed_at).toISOString() : null,
    },
  };
  // Outside a restricted country's circle: grid cells, and no free text.
  return asSeen(feature, row.generalised_cell_km);
}

/** Geometry as the reader may see it: restricted countries' polygons become grid cells (restrictions/). */
export async function getRelease(db: Db, actor: Actor | null, id: string): Promise<ReleaseFeature> {
  const row = await repo.findRelease(db, id, { exact: exactGeometryScope(actor) });
  if (!row || !repo.isVisible(row, actor)) throw notFound(`release ${id}`);
  return toFeature(row);
}

export async function listReleases(
  db: Db,
  actor: Actor | null,
  query: ReleaseListQuery,
): Promise<z.infer<typeof ReleaseCollection>> {
  return featurePage(await repo.listReleases(db, query, actor, exactGeometryScope(actor)), query.limit, (row) =>
    toFeature(row),
  );
}

/** The operator organisation a release is credited to: an operator can only credit its own. */
export function creditedOrganisation(actor: Actor, requested: number | null | undefined): string | null {
  if (actor.role !== 'operator') return requested ? String(requested) : null;
  if (requested && String(requested) !== actor.organisation_id) {
    throw forbidden(`an operator records releases for its own organisation (${actor.organisation_id}) only`);
  }
  return actor.organisation_id;
}

/** Tasks whose work may be reported: every task that was approved. */
const REPORTING_STATUSES = new Set(['approved', 'ongoing', 'suspended', 'completed', 'cancelled']);

/**
 * A release under a task lies in one of the task's hazards and is credited to the task's
 * organisation: an explicit other organisation is refused (422), and an operator reports only
 * its own organisation's tasks (403).
 */
async function taskOrganisation(
  trx: Db,
  actor: Actor,
  props: { task_id?: number | null; hazard_id: number; organisation_id?: number | null },
): Promise<string | null> {
  if (!props.task_id) return creditedOrganisation(actor, props.organisation_id);
  const reject = (message: string) =>
    new HttpError(422, 'unprocessable', message, [{ path: 'body.properties.task_id', message }]);
  const task = await repo.findTaskForRelease(trx, String(props.task_id));
  if (!task) throw reject(`task ${props.task_id} does not exist`);
  if (!REPORTING_STATUSES.has(task.status)) throw reject(`task ${task.id} is ${task.status}, not approved`);
  if (!task.hazard_ids.includes(String(props.hazard_id))) {
    throw reject(`hazard ${props.hazard_id} is not one of task ${task.id}'s hazards (${task.hazard_ids.join(', ')})`);
  }
  if (props.organisation_id && String(props.organisation_id) !== task.organisation_id) {
    throw reject(`task ${task.id} belongs to organisation ${task.organisation_id}, not ${props.organisation_id}`);
  }
  return creditedOrganisation(actor, Number(task.organisation_id));
}

export async function createRelease(
  db: Db,
  config: Config,
  actor: Actor,
  input: z.infer<typeof ReleaseCreate>,
  options: { dryRun?: boolean } = {},
) {
  const props = input.properties;
  const hazardId = String(props.hazard_id);
  const feature = props.external_ref ? `release ${props.external_ref}` : `release for hazard ${hazardId}`;
  return writeTransaction(db, 'releases', options.dryRun ?? false, async (trx) => {
    const peek = await findHazardHeader(trx, hazardId);
    if (!peek) {
      throw badRequest(`hazard ${hazardId} does not exist`, [
        { feature, path: 'body.properties.hazard_id', message: 'no such hazard' },
      ]);
    }
    assertCanRecordRelease(actor, peek.country_iso3);
    await lockCountries(trx, [peek.country_iso3]);
    const hazard = await findHazardHeader(trx, hazardId, { forUpdate: true });
    if (!hazard) throw notFound(`hazard ${hazardId}`);
    assertNotMoved(hazard.country_iso3, peek.country_iso3, hazardId);

    const organisationId = await taskOrganisation(trx, actor, props);
    // Not held to the country: a release is clipped to its hazard instead.
    const geometry = await checkGeometry(trx, config, input.geometry, null, feature);
    const checked = await repo.checkRelease(trx, geometry.ewkb, hazardId, props.completed_on);
    if (checked.rejection !== null || !checked.ewkb) {
      throw geometryRejected(`${feature} lies entirely outside hazard ${hazardId}`, [
        { feature, path: 'body.geometry', message: `no part of it is inside hazard ${hazardId}` },
      ]);
    }
    const warnings = [...geometry.warnings, ...checked.warnings];

    const approved = recordsApprovedReleases(actor);
    const id = await repo.insertRelease(trx, {
      hazard_id: hazardId,
      method: props.method,
      start_on: props.start_on ?? null,
      completed_on: props.completed_on,
      organisation_id: organisationId,
      task_id: props.task_id ? String(props.task_id) : null,
      devices: props.devices,
      external_ref: props.external_ref ?? null,
      status: approved ? 'approved' : 'submitted',
      ewkb: checked.ewkb,
      area_m2: checked.area_m2,
      clipped_m2: checked.clipped_m2,
      warnings,
      created_by: actor.id,
      reviewed_by: approved ? actor.id : null,
    });
    if (approved) await refreshHazards(trx, [hazardId], false);
    const created = toFeature((await repo.findRelease(trx, id))!, warnings);
    await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'release', entityId: id, after: created });
    return created;
  });
}

/**
 * The scope check and the country lock used the hazard's country as first read; if the hazard moved
 * to another country before its row was locked, both are stale, so the writer must retry.
 */
function assertNotMoved(lockedCountry: string, checkedCountry: string, hazardId: string): void {
  if (lockedCountry !== checkedCountry) {
    throw conflict(`hazard ${hazardId} moved from ${checkedCountry} to ${lockedCountry} during this request; retry it`);
  }
}

/** Approves or rejects a submitted release; only an approval changes any figure. */
export async function reviewRelease(
  db: Db,
  actor: Actor,
  id: string,
  outcome: { status: 'approved' | 'rejected'; reason: string | null },
) {
  return afterCommit(
    'releases',
    db.transaction().execute(async (trx) => {
      const peek = await repo.findRelease(trx, id);
      if (!peek || !repo.isVisible(peek, actor)) throw notFound(`release ${id}`);
      assertCanReview(actor, peek.country_iso3);
      await lockCountries(trx, [peek.country_iso3]);
      const current = await repo.findRelease(trx, id, { forUpdate: true });
      if (!current) throw notFound(`release ${id}`);
      if (current.status !== 'submitted') {
        throw conflict(`release ${id} is already ${current.status}; only submitted releases can be reviewed`);
      }
      const hazard = await findHazardHeader(trx, current.hazard_id, { forUpdate: true });
      // A deleted hazard's submissions can still be rejected, so the queue can be cleared, never approved.
      if (!hazard && outcome.status === 'approved')
        throw new HttpError(409, 'conflict', `the hazard of release ${id} has been deleted`);
      if (hazard) assertNotMoved(hazard.country_iso3, peek.country_iso3, current.hazard_id);
      await repo.setReviewOutcome(trx, id, { ...outcome, reviewerId: actor.id });
      if (outcome.status === 'approved') await refreshHazards(trx, [current.hazard_id], false);
      const reviewed = toFeature((await repo.findRelease(trx, id))!);
      await writeAudit(trx, {
        userId: actor.id,
        action: outcome.status === 'approved' ? 'approve' : 'reject',
        entity: 'release',
        entityId: id,
        before: toFeature(current),
        after: reviewed,
      });
      return reviewed;
    }),
  );
}
