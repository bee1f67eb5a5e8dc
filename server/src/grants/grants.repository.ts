import { sql, type Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import type { GrantFilter, TransactionIn } from './grants.schema.js';
import { visibleGrants } from './grants.scope.js';

type Db = Kysely<Database>;

export interface TransactionRecord {
  id: number;
  type: 'commitment' | 'disbursement';
  on: string;
  amount: number;
  amount_usd: number | null;
}

/** Grants (alias g) with their parties' names, the amount in USD and the transactions, each in USD at its own year. */
function selectGrants(db: Db) {
  return db
    .selectFrom('grants as g')
    .innerJoin('organisations as d', 'd.id', 'g.donor_id')
    .innerJoin('organisations as r', 'r.id', 'g.recipient_id')
    .select([
      'g.id',
      'g.donor_id',
      'd.name as donor_name',
      'g.recipient_id',
      'r.name as recipient_name',
      'g.country_iso3',
      'g.amount',
      'g.currency',
      'g.start_on',
      'g.end_on',
      'g.status',
      'g.visibility',
      'g.purpose',
      'g.iati_identifier',
      'g.version',
      'g.created_at',
      'g.updated_at',
    ])
    .select(sql<string | null>`sg_usd(g.amount, g.currency, extract(year FROM g.start_on)::int)`.as('amount_usd'))
    .select(
      sql<TransactionRecord[]>`(
        SELECT coalesce(json_agg(json_build_object(
                 'id', t.id, 'type', t.type, 'on', t.transaction_date, 'amount', t.amount,
                 'amount_usd', sg_usd(t.amount, g.currency, extract(year FROM t.transaction_date)::int))
                 ORDER BY t.transaction_date, t.id), '[]')
          FROM grant_transactions t WHERE t.grant_id = g.id)`.as('transactions'),
    )
    .where('g.deleted_at', 'is', null);
}

export type GrantRecord = NonNullable<Awaited<ReturnType<typeof findGrant>>>;

/** A live grant, if the reader may see it; `everyone`: whoever may see it (a write's own reads). */
export async function findGrant(db: Db, id: string, reader: { actor: Actor | null } | 'everyone') {
  let query = selectGrants(db).where('g.id', '=', id);
  if (reader !== 'everyone') query = query.where(visibleGrants(reader.actor));
  return query.executeTakeFirst();
}

/** The grants the actor may see, matching the filter, by id after `cursor`. */
export async function listGrants(
  db: Db,
  actor: Actor | null,
  filter: GrantFilter & { limit: number; cursor?: number },
) {
  let query = selectGrants(db).where(visibleGrants(actor)).orderBy('g.id').limit(filter.limit);
  if (filter.country) query = query.where('g.country_iso3', '=', filter.country);
  if (filter.donor_id) query = query.where('g.donor_id', '=', String(filter.donor_id));
  if (filter.recipient_id) query = query.where('g.recipient_id', '=', String(filter.recipient_id));
  if (filter.status) query = query.where('g.status', '=', filter.status);
  if (filter.cursor !== undefined) query = query.where('g.id', '>', String(filter.cursor));
  return query.execute();
}

/** Locks a live grant for a write and reads the columns the scope check needs. */
export async function lockGrant(db: Db, id: string) {
  return db
    .selectFrom('grants')
    .select(['id', 'country_iso3', 'donor_id', 'version', 'updated_at'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export interface GrantValues {
  donor_id: string;
  recipient_id: string;
  country_iso3: string;
  amount: number;
  currency: string;
  start_on: string;
  end_on: string;
  status: Database['grants']['status'];
  visibility: 'public' | 'coalition';
  purpose: string;
  iati_identifier: string | null;
}

const row = (values: GrantValues) => ({ ...values, amount: String(values.amount) });

export async function insertGrant(db: Db, values: GrantValues, createdBy: string): Promise<string> {
  const created = await db
    .insertInto('grants')
    .values({ ...row(values), created_by: createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

export async function updateGrant(db: Db, id: string, values: GrantValues): Promise<void> {
  await db
    .updateTable('grants')
    .set((eb) => ({ ...row(values), version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .execute();
}

export async function softDeleteGrant(db: Db, id: string): Promise<void> {
  await db
    .updateTable('grants')
    .set((eb) => ({ deleted_at: new Date(), version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .execute();
}

export async function replaceTransactions(db: Db, grantId: string, transactions: TransactionIn[]): Promise<void> {
  await db.deleteFrom('grant_transactions').where('grant_id', '=', grantId).execute();
  if (transactions.length === 0) return;
  await db
    .insertInto('grant_transactions')
    .values(
      transactions.map((t) => ({
        grant_id: grantId,
        type: t.type,
        transaction_date: t.on,
        amount: String(t.amount),
      })),
    )
    .execute();
}

/** Whether a live grant is paid into a task (a deleted grant must not leave tasks funded by nothing). */
export async function fundsTasks(db: Db, id: string): Promise<boolean> {
  const found = await db.selectFrom('task_funding').select('task_id').where('grant_id', '=', id).executeTakeFirst();
  return found !== undefined;
}

/** The live grants of a donor carrying an IATI activity identifier (an import matches on both). */
export async function grantIdsByIatiIdentifier(db: Db, donorId: string, identifier: string): Promise<string[]> {
  const rows = await db
    .selectFrom('grants')
    .select('id')
    .where('donor_id', '=', donorId)
    .where('iati_identifier', '=', identifier)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
