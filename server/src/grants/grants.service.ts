import type { Actor } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { type ErrorDetail, badRequest, conflict, notFound } from '../http/http-error.js';
import { staleVersion } from '../http/if-match.js';
import { DONOR_KINDS } from '../organisations/donor-kinds.js';
import { findOrganisations } from '../organisations/organisations.repository.js';
import * as repo from './grants.repository.js';
import type { GrantCreate, GrantListQuery, GrantOut, GrantPatch, TransactionIn } from './grants.schema.js';
import { assertCanWriteGrant } from './grants.scope.js';

const usd = (value: string | number | null) => (value === null ? null : Math.round(Number(value) * 100) / 100);

export function toGrant(row: repo.GrantRecord): GrantOut {
  const amountUsd = usd(row.amount_usd);
  return {
    id: Number(row.id),
    donor_id: Number(row.donor_id),
    donor_name: row.donor_name,
    recipient_id: Number(row.recipient_id),
    recipient_name: row.recipient_name,
    country_iso3: row.country_iso3,
    amount: Number(row.amount),
    currency: row.currency,
    amount_usd: amountUsd,
    rate_missing: amountUsd === null,
    start_on: row.start_on,
    end_on: row.end_on,
    status: row.status,
    visibility: row.visibility,
    purpose: row.purpose,
    iati_identifier: row.iati_identifier,
    transactions: row.transactions.map((t) => {
      const amountUsdOf = usd(t.amount_usd);
      return {
        id: Number(t.id),
        type: t.type,
        on: t.on,
        amount: Number(t.amount),
        amount_usd: amountUsdOf,
        rate_missing: amountUsdOf === null,
      };
    }),
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function listGrants(db: Db, actor: Actor | null, query: GrantListQuery) {
  const rows = await repo.listGrants(db, actor, { ...query, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { grants: page.map(toGrant), next_cursor: rows.length > query.limit && last ? Number(last.id) : null };
}

/** A grant the actor may not see is not found, exactly like one that does not exist. */
export async function getGrant(db: Db, actor: Actor | null, id: string): Promise<GrantOut> {
  const row = await repo.findGrant(db, id, { actor });
  if (!row) throw notFound(`grant ${id}`);
  return toGrant(row);
}

export async function createGrant(db: Db, actor: Actor, input: GrantCreate): Promise<GrantOut> {
  assertCanWriteGrant(actor, valuesOf(input));
  return afterCommit(
    'grants',
    db.transaction().execute((trx) => createGrantIn(trx, actor, input)),
  );
}

/** Creates a grant inside the caller's transaction (an IATI import writes many in one). */
export async function createGrantIn(trx: Db, actor: Actor, input: GrantCreate): Promise<GrantOut> {
  const values = valuesOf(input);
  assertCanWriteGrant(actor, values);
  await assertValid(trx, values, input.transactions);
  const id = await repo.insertGrant(trx, values, actor.id);
  await repo.replaceTransactions(trx, id, input.transactions);
  const created = toGrant((await repo.findGrant(trx, id, 'everyone'))!);
  await writeAudit(trx, { userId: actor.id, action: 'create', entity: 'grant', entityId: id, after: created });
  return created;
}

export async function updateGrant(
  db: Db,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: GrantPatch,
): Promise<GrantOut> {
  return afterCommit(
    'grants',
    db.transaction().execute((trx) => updateGrantIn(trx, actor, id, expectedVersion, patch)),
  );
}

/** Changes a grant inside the caller's transaction. */
export async function updateGrantIn(
  trx: Db,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: GrantPatch,
): Promise<GrantOut> {
  const before = await lockedVisibleGrant(trx, actor, id);
  assertCanWriteGrant(actor, { country_iso3: before.country_iso3, donor_id: String(before.donor_id) });
  if (before.version !== expectedVersion) throw staleVersion(`grant ${id}`, before, expectedVersion);
  const { transactions, ...fields } = patch;
  const values = valuesOf({ ...before, ...fields });
  assertCanWriteGrant(actor, values);
  await assertPartiesKept(trx, id, before, values);
  const kept = transactions ?? before.transactions.map(({ type, on, amount }) => ({ type, on, amount }));
  await assertValid(trx, values, kept);
  await repo.updateGrant(trx, id, values);
  if (transactions) await repo.replaceTransactions(trx, id, transactions);
  const updated = toGrant((await repo.findGrant(trx, id, 'everyone'))!);
  await writeAudit(trx, { userId: actor.id, action: 'update', entity: 'grant', entityId: id, before, after: updated });
  return updated;
}

/** Soft delete: the grant stays in the audit log. A grant still paying for tasks is kept (409). */
export async function deleteGrant(db: Db, actor: Actor, id: string, expectedVersion: number): Promise<void> {
  await afterCommit(
    'grants',
    db.transaction().execute(async (trx) => {
      const before = await lockedVisibleGrant(trx, actor, id);
      assertCanWriteGrant(actor, { country_iso3: before.country_iso3, donor_id: String(before.donor_id) });
      if (before.version !== expectedVersion) throw staleVersion(`grant ${id}`, before, expectedVersion);
      if (await repo.fundsTasks(trx, id)) {
        throw conflict(`grant ${id} pays for tasks; take it out of their funding before deleting it`);
      }
      await repo.softDeleteGrant(trx, id);
      await writeAudit(trx, { userId: actor.id, action: 'delete', entity: 'grant', entityId: id, before });
    }),
  );
}

/**
 * A grant that pays for tasks keeps its donor, recipient and country: its tasks were checked
 * against them (the operator the money goes to, in the task's country), and the land released
 * under them is counted for that donor.
 */
async function assertPartiesKept(trx: Db, id: string, before: GrantOut, after: repo.GrantValues): Promise<void> {
  const changed = (['donor_id', 'recipient_id', 'country_iso3'] as const).filter(
    (field) => String(before[field]) !== String(after[field]),
  );
  if (changed.length > 0 && (await repo.fundsTasks(trx, id))) {
    throw conflict(`grant ${id} pays for tasks; its ${changed.join(', ')} cannot change`);
  }
}

/** Locks the grant; one the actor may not see answers 404 as a read would. */
async function lockedVisibleGrant(trx: Db, actor: Actor, id: string): Promise<GrantOut> {
  if (!(await repo.lockGrant(trx, id))) throw notFound(`grant ${id}`);
  const row = await repo.findGrant(trx, id, { actor });
  if (!row) throw notFound(`grant ${id}`);
  return toGrant(row);
}

export function valuesOf(input: Omit<GrantCreate, 'transactions'>): repo.GrantValues {
  return {
    donor_id: String(input.donor_id),
    recipient_id: String(input.recipient_id),
    country_iso3: input.country_iso3,
    amount: input.amount,
    currency: input.currency,
    start_on: input.start_on,
    end_on: input.end_on,
    status: input.status,
    visibility: input.visibility,
    purpose: input.purpose,
    iati_identifier: input.iati_identifier ?? null,
  };
}

/** Checks a grant against grantProblems: 400 naming every problem, nothing written. */
async function assertValid(db: Db, values: repo.GrantValues, transactions: TransactionIn[]): Promise<void> {
  const problems = await grantProblems(db, values, transactions);
  const first = problems[0];
  if (first) throw badRequest(`${first.path}: ${first.message}`, problems);
}

/**
 * The rules a grant obeys beyond the shape of its fields, checked together so that one answer
 * names every problem: its period runs forwards; its donor and recipient are two existing
 * organisations, the donor of a donor kind; its country exists; and every transaction is dated
 * inside the period (an agreement signed before its start is dated from its start: the period
 * covers the money flows).
 */
export async function grantProblems(
  db: Db,
  values: repo.GrantValues,
  transactions: TransactionIn[],
): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  if (values.end_on < values.start_on) problems.push({ path: 'body.end_on', message: 'must not be before start_on' });
  if (values.donor_id === values.recipient_id) {
    problems.push({ path: 'body.recipient_id', message: 'must not be the donor' });
  }
  const organisations = await findOrganisations(db, [values.donor_id, values.recipient_id]);
  const donor = organisations.get(values.donor_id);
  if (!donor) problems.push({ path: 'body.donor_id', message: `no organisation ${values.donor_id}` });
  else if (!DONOR_KINDS.includes(donor.kind)) {
    problems.push({
      path: 'body.donor_id',
      message: `organisation ${donor.id} is of kind ${donor.kind}; a donor must be one of ${DONOR_KINDS.join(', ')}`,
    });
  }
  if (!organisations.has(values.recipient_id)) {
    problems.push({ path: 'body.recipient_id', message: `no organisation ${values.recipient_id}` });
  }
  const country = await db
    .selectFrom('countries')
    .select('iso3')
    .where('iso3', '=', values.country_iso3)
    .executeTakeFirst();
  if (!country) problems.push({ path: 'body.country_iso3', message: `unknown country ${values.country_iso3}` });
  transactions.forEach((t, i) => {
    if (t.on < values.start_on || t.on > values.end_on) {
      problems.push({
        path: `body.transactions.${i}.on`,
        message: `must lie within the grant period ${values.start_on} to ${values.end_on}`,
      });
    }
  });
  return problems;
}
