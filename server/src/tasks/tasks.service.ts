import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Actor } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { PUBLISHED_DIGITS } from '../geo/coordinates.js';
import { roundCoordinates } from '../geometry/geometry.service.js';
import { badRequest, conflict, notFound } from '../http/http-error.js';
import { writeTransaction } from '../http/dry-run.js';
import { featurePage } from '../http/pagination.js';
import { asSeen } from '../restrictions/disclosure.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { findConflicts, overlapError } from './overlaps.service.js';
import {
  type WorkPolygon,
  checkFunding,
  countryOfHazards,
  organisationOrRefuse,
  planGeometry,
  teamOrRefuse,
  unprocessable,
} from './tasks.plan.js';
import * as repo from './tasks.repository.js';
import type { TaskCollection, TaskCreate, TaskFeature, TaskListQuery, TaskPatch } from './tasks.schema.js';
import { assertCanEdit, assertCanPropose, assertProposerRole, assertTransition } from './tasks.scope.js';
import { coalitionScope } from '../shared/coalition-scope.js';
import type { z } from 'zod';

export const readerOf = (actor: Actor | null): repo.Reader => ({
  exact: exactGeometryScope(actor),
  coalition: coalitionScope(actor),
});

export function toFeature(row: repo.TaskRecord): TaskFeature {
  const id = Number(row.id);
  const feature: TaskFeature = {
    type: 'Feature',
    id,
    geometry: row.geometry,
    properties: {
      id,
      country: row.country_iso3,
      organisation_id: Number(row.organisation_id),
      organisation: { id: Number(row.organisation_id), name: row.organisation_name, acronym: row.organisation_acronym },
      hazard_ids: row.hazard_ids,
      method: row.method,
      team: row.team,
      team_id: row.team_id === null ? null : Number(row.team_id),
      planned_start: row.planned_start,
      planned_end: row.planned_end,
      actual_start: row.actual_start,
      actual_end: row.actual_end,
      status: row.status,
      work_polygon: row.work_polygon,
      area_m2: row.area_m2,
      funding: row.funding,
      funding_withheld_share: row.funding_withheld_share,
      acknowledged_overlaps: row.acknowledged_overlaps as unknown[],
      decision_reason: row.decision_reason,
      decided_at: row.decided_at ? new Date(row.decided_at).toISOString() : null,
      version: row.version,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    },
  };
  // Outside a restricted country's circle: grid cells, and no free text.
  return asSeen(feature, row.generalised_cell_km);
}

/** A written task as a GET shows it; the audit log keeps the coordinates at full precision. */
const published = (feature: TaskFeature): TaskFeature => ({
  ...feature,
  geometry: roundCoordinates(feature.geometry, PUBLISHED_DIGITS),
});

export async function getTask(db: Db, actor: Actor | null, id: string): Promise<TaskFeature> {
  const row = await repo.findTask(db, id, readerOf(actor));
  if (!row) throw notFound(`task ${id}`);
  return toFeature(row);
}

export async function listTasks(
  db: Db,
  actor: Actor | null,
  query: TaskListQuery,
): Promise<z.infer<typeof TaskCollection>> {
  return featurePage(await repo.listTasks(db, query, readerOf(actor)), query.limit, toFeature);
}

/**
 * Proposes a task. A conflict with another organisation's task or with released land (overlaps.service.ts)
 * answers 409 listing each, unless acknowledged: then the task is stored with the conflicts it was shown.
 */
export async function createTask(
  db: Db,
  config: Config,
  actor: Actor,
  input: TaskCreate,
  options: { acknowledge: boolean; dryRun?: boolean },
): Promise<TaskFeature> {
  const organisationId = String(input.organisation_id);
  assertProposerRole(actor);
  return writeTransaction(db, 'tasks', options.dryRun ?? false, async (trx) => {
    const country = await countryOfHazards(trx, input.hazard_ids);
    assertCanPropose(actor, country, organisationId);
    await organisationOrRefuse(trx, organisationId);
    await checkFunding(trx, input.funding, country, organisationId);
    if (input.team_id) await teamOrRefuse(trx, input.team_id, country, organisationId);
    await repo.lockCountryTasks(trx, country);
    const geometry = await planGeometry(
      trx,
      config,
      input.hazard_ids,
      input.geometry ? { geojson: input.geometry } : null,
    );
    const conflicts = await findConflicts(trx, config, {
      ...geometry,
      organisation_id: organisationId,
      start: input.planned_start,
      end: input.planned_end,
      except: null,
    });
    if (conflicts.length > 0 && !options.acknowledge) throw overlapError(conflicts);
    const id = await repo.insertTask(trx, {
      country_iso3: country,
      organisation_id: organisationId,
      method: input.method,
      team: input.team ?? null,
      team_id: input.team_id ? String(input.team_id) : null,
      planned_start: input.planned_start,
      planned_end: input.planned_end,
      actual_start: input.actual_start ?? null,
      actual_end: input.actual_end ?? null,
      work: geometry.work,
      ewkb: geometry.ewkb,
      area_m2: geometry.area_m2,
      acknowledged_overlaps: conflicts,
      created_by: actor.id,
    });
    await repo.setHazards(trx, id, input.hazard_ids);
    await repo.setFunding(trx, id, input.funding);
    const created = toFeature((await repo.findTaskForWrite(trx, id))!);
    await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'task', entityId: id, after: created });
    return published(created);
  });
}

const PLAN_FIELDS = [
  'hazard_ids',
  'geometry',
  'work_polygon',
  'method',
  'planned_start',
  'planned_end',
  'funding',
] as const;
const ACTIVE = new Set(['proposed', 'approved', 'ongoing', 'suspended']);

/** Locks a task the actor can see (404 otherwise), after the country's task lock. */
async function lockedTask(trx: Db, actor: Actor, id: string) {
  const visible = await repo.findTask(trx, id, readerOf(actor));
  if (!visible) throw notFound(`task ${id}`);
  await repo.lockCountryTasks(trx, visible.country_iso3);
  const current = await repo.lockTaskHeader(trx, id);
  if (!current) throw notFound(`task ${id}`);
  return { before: toFeature((await repo.findTaskForWrite(trx, id))!), current };
}

function versionConflict(current: { id: string; version: number; updated_at: Date }, expected: number) {
  return conflict(`task ${current.id} is at version ${current.version}, not ${expected}: someone else changed it`, [
    {
      path: 'headers.if-match',
      message: `current version is ${current.version}; reload it (updated ${new Date(current.updated_at).toISOString()})`,
    },
  ]);
}

export async function updateTask(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: TaskPatch,
  options: { acknowledge: boolean },
): Promise<TaskFeature> {
  return writeTransaction(db, 'tasks', false, async (trx) => {
    const { before, current } = await lockedTask(trx, actor, id);
    assertCanEdit(
      actor,
      current,
      PLAN_FIELDS.some((field) => patch[field] !== undefined),
    );
    if (current.version !== expectedVersion) throw versionConflict(current, expectedVersion);
    const status = patch.status ?? current.status;
    if (status !== current.status) assertTransition(actor, current, status);
    const p = before.properties;
    const next = {
      method: patch.method ?? p.method,
      team: patch.team === undefined ? p.team : patch.team,
      team_id: patch.team_id === undefined ? current.team_id : patch.team_id === null ? null : String(patch.team_id),
      planned_start: patch.planned_start ?? p.planned_start,
      planned_end: patch.planned_end ?? p.planned_end,
      actual_start: patch.actual_start === undefined ? p.actual_start : patch.actual_start,
      actual_end: patch.actual_end === undefined ? p.actual_end : patch.actual_end,
      status,
    };
    if (next.planned_end < next.planned_start) {
      throw badRequest(`planned_end ${next.planned_end} is before planned_start ${next.planned_start}`, [
        { path: 'body.planned_end', message: 'must not be before planned_start' },
      ]);
    }
    if (next.actual_start && next.actual_end && next.actual_end < next.actual_start) {
      throw badRequest(`actual_end ${next.actual_end} is before actual_start ${next.actual_start}`, [
        { path: 'body.actual_end', message: 'must not be before actual_start' },
      ]);
    }
    const hazardIds = patch.hazard_ids ?? current.hazard_ids;
    if (patch.hazard_ids) {
      const country = await countryOfHazards(trx, patch.hazard_ids);
      if (country !== current.country_iso3) {
        throw unprocessable(
          `the hazards are in ${country}; task ${id} is in ${current.country_iso3}`,
          'body.hazard_ids',
        );
      }
    }
    if (patch.team_id) await teamOrRefuse(trx, patch.team_id, current.country_iso3, current.organisation_id);
    if (patch.funding) await checkFunding(trx, patch.funding, current.country_iso3, current.organisation_id);
    let geometry: Awaited<ReturnType<typeof planGeometry>> | undefined;
    if (patch.hazard_ids || patch.geometry || patch.work_polygon === false) {
      const work: WorkPolygon = patch.geometry
        ? { geojson: patch.geometry }
        : patch.work_polygon === false
          ? null
          : current.work_ewkb && { ewkb: current.work_ewkb };
      geometry = await planGeometry(trx, config, hazardIds, work);
    }
    const replans =
      geometry || patch.planned_start || patch.planned_end || (status !== current.status && ACTIVE.has(status));
    let acknowledged: unknown[] | undefined;
    if (replans && ACTIVE.has(status)) {
      const conflicts = await findConflicts(trx, config, {
        ewkb: geometry?.ewkb ?? (await repo.taskEwkb(trx, id)),
        area_m2: geometry?.area_m2 ?? p.area_m2,
        organisation_id: current.organisation_id,
        start: next.planned_start,
        end: next.planned_end,
        except: id,
      });
      if (conflicts.length > 0 && !options.acknowledge) throw overlapError(conflicts);
      acknowledged = conflicts;
    }
    await repo.updateTask(trx, id, { ...next, geometry, acknowledged_overlaps: acknowledged });
    if (patch.hazard_ids) await repo.setHazards(trx, id, patch.hazard_ids);
    if (patch.funding) await repo.setFunding(trx, id, patch.funding);
    const updated = toFeature((await repo.findTaskForWrite(trx, id))!);
    await writeAudit(trx, { userId: actor.id, action: 'update', entity: 'task', entityId: id, before, after: updated });
    return published(updated);
  });
}

/** Approves or rejects a proposal: the country's national authority or an admin (TRANSITIONS). */
export async function decideTask(
  db: Db,
  actor: Actor,
  id: string,
  outcome: { status: 'approved' | 'rejected'; reason: string | null },
): Promise<TaskFeature> {
  return writeTransaction(db, 'tasks', false, async (trx) => {
    const { before, current } = await lockedTask(trx, actor, id);
    assertTransition(actor, current, outcome.status);
    await repo.updateTask(trx, id, { status: outcome.status, decision: { reason: outcome.reason, by: actor.id } });
    const decided = toFeature((await repo.findTaskForWrite(trx, id))!);
    await writeAudit(trx, {
      userId: actor.id,
      action: outcome.status === 'approved' ? 'approve' : 'reject',
      entity: 'task',
      entityId: id,
      before,
      after: decided,
    });
    return published(decided);
  });
}
