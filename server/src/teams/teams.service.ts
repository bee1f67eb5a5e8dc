import { type Actor, assertCanReadPlanning, canReadPlanning } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { badRequest, conflict, notFound } from '../http/http-error.js';
import { staleVersion } from '../http/if-match.js';
import type { OrganisationKind } from '../db/database.js';
import { findOrganisation } from '../organisations/organisations.repository.js';
import * as repo from './teams.repository.js';
import type { TeamCreate, TeamListQuery, TeamOut, TeamPatch } from './teams.schema.js';
import { assertCanWriteTeam, readableCountries } from './teams.scope.js';

export function toTeam(row: repo.TeamRecord): TeamOut {
  return {
    id: Number(row.id),
    organisation_id: Number(row.organisation_id),
    organisation: { id: Number(row.organisation_id), name: row.organisation_name, acronym: row.organisation_acronym },
    country_iso3: row.country_iso3,
    name: row.name,
    type: row.type,
    size: row.size,
    base: { lng: row.lng, lat: row.lat },
    working_days_per_week: row.working_days_per_week,
    // jsonb keeps keys in its own order; the API gives them as written.
    stand_downs: row.stand_downs.map(({ from, to }) => ({ from, to })),
    active_from: row.active_from,
    active_to: row.active_to,
    monthly_cost_usd: row.monthly_cost_usd,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function listTeams(db: Db, actor: Actor, query: TeamListQuery): Promise<{ teams: TeamOut[] }> {
  if (query.country) assertCanReadPlanning(actor, query.country);
  const rows = await repo.listTeams(db, query, readableCountries(actor));
  return { teams: rows.map(toTeam) };
}

/** A team the actor may read; any other answers 404 as a missing one does. */
export async function getTeam(db: Db, actor: Actor, id: string): Promise<TeamOut> {
  const row = await repo.findTeam(db, id);
  if (!row || !canReadPlanning(actor, row.country_iso3)) throw notFound(`team ${id}`);
  return toTeam(row);
}

export async function createTeam(db: Db, actor: Actor, toleranceM: number, input: TeamCreate): Promise<TeamOut> {
  const values = valuesOf(input);
  assertCanWriteTeam(actor, values);
  return afterCommit(
    'teams',
    db.transaction().execute(async (trx) => {
      await assertValid(trx, values, toleranceM);
      const id = await repo.insertTeam(trx, { ...values, created_by: actor.id });
      const created = toTeam((await repo.findTeam(trx, id))!);
      await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'team', entityId: id, after: created });
      return created;
    }),
  );
}

export async function updateTeam(
  db: Db,
  actor: Actor,
  toleranceM: number,
  id: string,
  expectedVersion: number,
  patch: TeamPatch,
): Promise<TeamOut> {
  return afterCommit(
    'teams',
    db.transaction().execute(async (trx) => {
      const before = await lockedReadableTeam(trx, actor, id);
      assertCanWriteTeam(actor, valuesOf(before));
      if (before.version !== expectedVersion) throw staleVersion(`team ${id}`, before, expectedVersion);
      const values = valuesOf({ ...before, ...patch });
      if (values.active_to !== null && values.active_to < values.active_from) {
        throw badRequest(`active_to ${values.active_to} is before active_from ${values.active_from}`, [
          { path: 'body.active_to', message: 'must not be before active_from' },
        ]);
      }
      assertCanWriteTeam(actor, values);
      await assertValid(trx, values, toleranceM, id);
      await assertPartiesKept(trx, id, before, values);
      await repo.updateTeam(trx, id, values);
      const updated = toTeam((await repo.findTeam(trx, id))!);
      await writeAudit(trx, {
        userId: actor.id,
        action: 'update',
        entity: 'team',
        entityId: id,
        before,
        after: updated,
      });
      return updated;
    }),
  );
}

/** Soft delete: the row stays for the tasks and plans that name it, and for the audit log. */
export async function deleteTeam(db: Db, actor: Actor, id: string, expectedVersion: number): Promise<void> {
  await afterCommit(
    'teams',
    db.transaction().execute(async (trx) => {
      const before = await lockedReadableTeam(trx, actor, id);
      assertCanWriteTeam(actor, valuesOf(before));
      if (before.version !== expectedVersion) throw staleVersion(`team ${id}`, before, expectedVersion);
      await repo.softDeleteTeam(trx, id);
      await writeAudit(trx, { userId: actor.id, action: 'delete', entity: 'team', entityId: id, before });
    }),
  );
}

/**
 * A team that tasks name keeps its organisation and country: each task was checked against them,
 * and the productivity measured through the task counts for that organisation.
 */
async function assertPartiesKept(trx: Db, id: string, before: TeamOut, after: repo.TeamValues): Promise<void> {
  const changed = (['organisation_id', 'country_iso3'] as const).filter(
    (field) => String(before[field]) !== String(after[field]),
  );
  if (changed.length === 0) return;
  const task = await repo.findTaskOfTeam(trx, id);
  if (task) {
    throw conflict(`task ${task.id} names team ${id}; its ${changed.join(' and ')} cannot change`, [
      ...changed.map((field) => ({ path: `body.${field}`, message: `team ${id} works task ${task.id}` })),
    ]);
  }
}

async function lockedReadableTeam(trx: Db, actor: Actor, id: string): Promise<TeamOut> {
  if (!(await repo.lockTeam(trx, id))) throw notFound(`team ${id}`);
  const row = await repo.findTeam(trx, id);
  if (!row || !canReadPlanning(actor, row.country_iso3)) throw notFound(`team ${id}`);
  return toTeam(row);
}

/** The kinds of organisation that field teams: everyone but the donor governments and multilateral donors. */
export const IMPLEMENTING_KINDS: readonly OrganisationKind[] = [
  'operator',
  'ngo',
  'un_agency',
  'national_authority',
  'other',
];

type TeamInput = Omit<TeamCreate, 'organisation_id'> & { organisation_id: number | string };

const valuesOf = (input: TeamInput): repo.TeamValues => ({
  organisation_id: String(input.organisation_id),
  country_iso3: input.country_iso3,
  name: input.name,
  type: input.type,
  size: input.size,
  base: input.base,
  working_days_per_week: input.working_days_per_week,
  stand_downs: input.stand_downs,
  active_from: input.active_from,
  active_to: input.active_to ?? null,
  monthly_cost_usd: input.monthly_cost_usd ?? null,
});

/**
 * What the table cannot say: the organisation exists and does the work (a donor fields no teams),
 * the country is known and holds the base, and the name is the organisation's only one there.
 */
async function assertValid(trx: Db, values: repo.TeamValues, toleranceM: number, exceptId?: string): Promise<void> {
  const organisation = await findOrganisation(trx, values.organisation_id);
  if (!organisation) {
    throw badRequest(`organisation ${values.organisation_id} does not exist`, [
      { path: 'body.organisation_id', message: 'no such organisation' },
    ]);
  }
  if (!IMPLEMENTING_KINDS.includes(organisation.kind)) {
    throw badRequest(`organisation ${values.organisation_id} is a ${organisation.kind}: a donor fields no teams`, [
      { path: 'body.organisation_id', message: `must be of kind ${IMPLEMENTING_KINDS.join(', ')}` },
    ]);
  }
  const country = await trx
    .selectFrom('countries')
    .select('iso3')
    .where('iso3', '=', values.country_iso3)
    .executeTakeFirst();
  if (!country) {
    throw badRequest(`unknown country ${values.country_iso3}`, [
      { path: 'body.country_iso3', message: 'unknown country' },
    ]);
  }
  if (!(await repo.pointInCountry(trx, values.country_iso3, values.base, toleranceM))) {
    const { lng, lat } = values.base;
    throw badRequest(`the base (${lng}, ${lat}) is not in ${values.country_iso3}`, [
      { path: 'body.base', message: `must lie in ${values.country_iso3} (within ${toleranceM} m of its boundary)` },
    ]);
  }
  const clash = await repo.findNameClash(trx, values, exceptId);
  if (clash) {
    throw conflict(`team ${clash.id} of this organisation in ${values.country_iso3} is already named ${values.name}`, [
      { path: 'body.name', message: `already used by team ${clash.id}` },
    ]);
  }
}
