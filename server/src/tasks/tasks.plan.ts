import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { AreaGeometry } from '../geometry/geometry.schema.js';
import { checkGeometry } from '../geometry/geometry.service.js';
import { HttpError } from '../http/http-error.js';
import * as repo from './tasks.repository.js';
import { findTeamHeader } from '../teams/teams.repository.js';
import { badRequest, conflict } from '../http/http-error.js';

// What a task's plan must satisfy, for a proposal and for a PATCH alike: hazards of one country,
// grants of that country given to the task's organisation with shares summing to 1, and a work
// polygon inside the hazards.

/** A work polygon may reach this far (m²) outside its hazards, as rounding along a shared edge does; it is clipped. */
const WORK_OUTSIDE_TOLERANCE_M2 = 1;

export const unprocessable = (message: string, path: string) =>
  new HttpError(422, 'unprocessable', message, [{ path, message }]);

/** The one country of a task's hazards; a missing hazard, or one in another country, is refused naming it. */
export async function countryOfHazards(trx: Db, ids: number[]): Promise<string> {
  const found = new Map((await repo.findHazards(trx, ids)).map((h) => [Number(h.id), h.country_iso3]));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw unprocessable(`hazard ${missing} does not exist`, 'body.hazard_ids');
  const country = found.get(ids[0]!)!;
  const other = ids.find((id) => found.get(id) !== country);
  if (other !== undefined) {
    throw unprocessable(
      `hazard ${other} is in ${found.get(other)}, not ${country}: a task's hazards are all in one country`,
      'body.hazard_ids',
    );
  }
  return country;
}

/** Shares sum to 1 (within 1e-6); every grant exists, is of the task's country and given to its organisation. */
export async function checkFunding(
  trx: Db,
  funding: Array<{ grant_id: number; share: number }>,
  country: string,
  organisationId: string,
): Promise<void> {
  if (funding.length === 0) return;
  const sum = funding.reduce((total, f) => total + f.share, 0);
  if (Math.abs(sum - 1) > 1e-6 + Number.EPSILON * 8) {
    throw new HttpError(
      422,
      'funding_shares',
      `funding shares sum to ${Number(sum.toFixed(6))} (${funding.map((f) => f.share).join(' + ')}), not 1`,
      [{ path: 'body.funding', message: 'the shares must sum to 1' }],
    );
  }
  const grants = new Map(
    (
      await repo.findGrants(
        trx,
        funding.map((f) => f.grant_id),
      )
    ).map((g) => [Number(g.id), g]),
  );
  for (const { grant_id: id } of funding) {
    const grant = grants.get(id);
    if (!grant || grant.deleted_at) throw unprocessable(`grant ${id} does not exist`, 'body.funding');
    if (grant.country_iso3 !== country) {
      throw unprocessable(`grant ${id} is for ${grant.country_iso3}, not ${country}`, 'body.funding');
    }
    if (grant.recipient_id !== organisationId) {
      throw unprocessable(
        `grant ${id} is given to organisation ${grant.recipient_id}, not to the task's organisation ${organisationId}`,
        'body.funding',
      );
    }
  }
}

export type WorkPolygon = { geojson: AreaGeometry } | { ewkb: Buffer } | null;

/**
 * The task's geometry: the work polygon (validated and repaired as any submitted polygon) inside
 * its hazards, or else their land still unreleased (tasks.repository.ts, taskGeometry). Without a
 * work polygon, a hazard with nothing left to release is refused naming it.
 */
export async function planGeometry(trx: Db, config: Config, hazardIds: number[], work: WorkPolygon) {
  if (!work) {
    const exhausted = await repo.exhaustedHazards(trx, hazardIds);
    if (exhausted.length > 0) {
      const which = exhausted.length === 1 ? `hazard ${exhausted[0]} has` : `hazards ${exhausted.join(', ')} have`;
      throw unprocessable(`${which} no land left to release: approved releases cover all of it`, 'body.hazard_ids');
    }
  }
  let ewkb: Buffer | null = null;
  // Not held to the country: the polygon is held to its hazards below.
  if (work && 'geojson' in work)
    ewkb = (await checkGeometry(trx, config, work.geojson, null, 'task work polygon')).ewkb;
  else if (work) ewkb = work.ewkb;
  const result = await repo.taskGeometry(trx, hazardIds, ewkb);
  if (result.outside_m2 > WORK_OUTSIDE_TOLERANCE_M2) {
    throw new HttpError(
      422,
      'geometry_rejected',
      `the work polygon reaches ${Math.round(result.outside_m2)} m² outside its hazards`,
      [{ path: 'body.geometry', message: 'a work polygon must lie inside the union of the task hazards' }],
    );
  }
  if (!result.ewkb || result.area_m2 <= 0) {
    throw new HttpError(422, 'geometry_rejected', 'the work polygon has no area inside its hazards', [
      { path: 'body.geometry', message: 'no area inside the hazards' },
    ]);
  }
  return { work: ewkb !== null, ewkb: result.ewkb, area_m2: result.area_m2 };
}

export async function organisationOrRefuse(trx: Db, id: string) {
  const organisation = await repo.findOrganisation(trx, id);
  if (!organisation) throw unprocessable(`organisation ${id} does not exist`, 'body.organisation_id');
}

/** A task's team is one of its organisation's recorded teams in its country (400 when unknown, 409 when another's). */
export async function teamOrRefuse(trx: Db, teamId: number, country: string, organisationId: string): Promise<void> {
  const team = await findTeamHeader(trx, String(teamId));
  if (!team) {
    throw badRequest(`team ${teamId} does not exist`, [{ path: 'body.team_id', message: 'no such team' }]);
  }
  if (team.organisation_id !== organisationId || team.country_iso3 !== country) {
    throw conflict(
      `team ${teamId} is organisation ${team.organisation_id}'s team in ${team.country_iso3}, ` +
        `not organisation ${organisationId}'s in ${country}`,
      [{ path: 'body.team_id', message: "must be a team of the task's organisation in the task's country" }],
    );
  }
}
