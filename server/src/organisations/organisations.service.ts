import { type Actor, assertIsAdmin } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { badRequest, conflict, notFound } from '../http/http-error.js';
import { staleVersion } from '../http/if-match.js';
import { DONOR_KINDS } from './donor-kinds.js';
import * as repo from './organisations.repository.js';
import type {
  OrganisationCreate,
  OrganisationListQuery,
  OrganisationOut,
  OrganisationPatch,
} from './organisations.schema.js';

export function toOrganisation(row: repo.OrganisationRecord): OrganisationOut {
  return {
    id: Number(row.id),
    name: row.name,
    acronym: row.acronym,
    kind: row.kind,
    country_iso3: row.country_iso3,
    iati_ref: row.iati_ref,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

// Organisations are public records: anyone may read them.
export async function listOrganisations(db: Db, query: OrganisationListQuery) {
  return { organisations: (await repo.listOrganisations(db, query)).map(toOrganisation) };
}

export async function getOrganisation(db: Db, id: string): Promise<OrganisationOut> {
  const row = await repo.findOrganisation(db, id);
  if (!row) throw notFound(`organisation ${id}`);
  return toOrganisation(row);
}

export async function createOrganisation(db: Db, actor: Actor, input: OrganisationCreate): Promise<OrganisationOut> {
  assertIsAdmin(actor, 'create organisations');
  const values = valuesOf(input);
  return afterCommit(
    'organisations',
    db.transaction().execute(async (trx) => {
      await assertUnique(trx, values);
      await assertCountryKnown(trx, values.country_iso3);
      const id = await repo.insertOrganisation(trx, values);
      const created = toOrganisation((await repo.findOrganisation(trx, id))!);
      await writeAudit(trx, {
        userId: actor.id,
        action: 'create',
        entity: 'organisation',
        entityId: id,
        after: created,
      });
      return created;
    }),
  );
}

export async function updateOrganisation(
  db: Db,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: OrganisationPatch,
): Promise<OrganisationOut> {
  assertIsAdmin(actor, 'change organisations');
  return afterCommit(
    'organisations',
    db.transaction().execute(async (trx) => {
      const current = await repo.findOrganisation(trx, id, { forUpdate: true });
      if (!current) throw notFound(`organisation ${id}`);
      if (current.version !== expectedVersion) throw staleVersion(`organisation ${id}`, current, expectedVersion);
      const values = valuesOf({ ...current, ...patch });
      await assertUnique(trx, values, id);
      await assertCountryKnown(trx, values.country_iso3);
      if (values.kind !== current.kind) await assertStillDonates(trx, id, values.kind);
      await repo.updateOrganisation(trx, id, values);
      const updated = toOrganisation((await repo.findOrganisation(trx, id))!);
      await writeAudit(trx, {
        userId: actor.id,
        action: 'update',
        entity: 'organisation',
        entityId: id,
        before: toOrganisation(current),
        after: updated,
      });
      return updated;
    }),
  );
}

const valuesOf = (input: OrganisationCreate): repo.OrganisationValues => ({
  name: input.name,
  acronym: input.acronym ?? null,
  kind: input.kind,
  country_iso3: input.country_iso3 ?? null,
  iati_ref: input.iati_ref ?? null,
});

async function assertUnique(db: Db, values: repo.OrganisationValues, exceptId?: string): Promise<void> {
  const clash = await repo.findClash(db, values, exceptId);
  if (!clash) return;
  const field = clash.name === values.name ? 'name' : 'iati_ref';
  throw conflict(`organisation ${clash.id} already has this ${field}`, [
    { path: `body.${field}`, message: `already used by organisation ${clash.id}` },
  ]);
}

async function assertCountryKnown(db: Db, iso3: string | null): Promise<void> {
  if (iso3 === null) return;
  const found = await db.selectFrom('countries').select('iso3').where('iso3', '=', iso3).executeTakeFirst();
  if (!found) throw badRequest(`unknown country ${iso3}`, [{ path: 'body.country_iso3', message: 'unknown country' }]);
}

/**
 * An organisation that is the donor of a grant must stay of a donor kind: changing its kind would
 * leave grants whose donor cannot donate.
 */
async function assertStillDonates(db: Db, id: string, kind: repo.OrganisationValues['kind']): Promise<void> {
  if (DONOR_KINDS.includes(kind)) return;
  const grant = await db
    .selectFrom('grants')
    .select('id')
    .where('donor_id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (grant) {
    throw badRequest(`organisation ${id} is the donor of grant ${grant.id}; it must keep a donor kind`, [
      { path: 'body.kind', message: `must be one of ${DONOR_KINDS.join(', ')} while it donates` },
    ]);
  }
}
