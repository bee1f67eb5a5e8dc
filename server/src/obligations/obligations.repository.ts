import { sql, type Kysely } from 'kysely';
import type { Database, ObligationStatus, Treaty } from '../db/database.js';
import type { PendingRequest } from './extension-requests.js';

export interface ExtensionRecord {
  meeting: string;
  new_deadline: string;
  granted_on: string | null;
  source: string | null;
}

function selectObligations(db: Kysely<Database>) {
  return db
    .selectFrom('obligations as o')
    .selectAll('o')
    .select([
      sql<ExtensionRecord[]>`coalesce((
        SELECT json_agg(json_build_object('meeting', e.meeting, 'new_deadline', e.new_deadline, 'granted_on', e.granted_on,
                                          'source', e.source)
                        ORDER BY e.new_deadline)
          FROM obligation_extensions e WHERE e.obligation_id = o.id), '[]'::json)`.as('extensions'),
      // The open request, the latest submitted where there are several.
      sql<PendingRequest | null>`(
        SELECT json_build_object('requested_deadline', r.requested_deadline, 'submitted', r.submitted, 'meeting', r.meeting,
                                 'decision', r.decision, 'source', r.source, 'confidence', r.confidence)
          FROM obligation_requests r WHERE r.obligation_id = o.id AND r.resolved_at IS NULL
          ORDER BY r.submitted DESC NULLS LAST, r.id DESC LIMIT 1)`.as('pending_request'),
    ]);
}

export type ObligationRecord = Awaited<ReturnType<typeof findObligation>> & object;

/** Every obligation with its extension history, by country then treaty. */
export async function listObligations(db: Kysely<Database>, filter: { country?: string; treaty?: Treaty } = {}) {
  let query = selectObligations(db).orderBy('o.country_iso3').orderBy('o.treaty');
  if (filter.country) query = query.where('o.country_iso3', '=', filter.country);
  if (filter.treaty) query = query.where('o.treaty', '=', filter.treaty);
  return query.execute();
}

export async function findObligation(db: Kysely<Database>, id: string) {
  return selectObligations(db).where('o.id', '=', id).executeTakeFirst();
}

/**
 * Locks one obligation row for the rest of the transaction, so concurrent writes to the same
 * obligation (two extensions, an extension and a confirmation) apply one after the other.
 */
export async function lockObligation(db: Kysely<Database>, iso3: string, treaty: Treaty): Promise<string | undefined> {
  const row = await db
    .selectFrom('obligations')
    .select('id')
    .where('country_iso3', '=', iso3)
    .where('treaty', '=', treaty)
    .forUpdate()
    .executeTakeFirst();
  return row?.id;
}

export interface NewExtension {
  obligationId: string;
  meeting: string;
  newDeadline: string;
  grantedOn: string | null;
  source: string;
  userId: string;
}

export async function insertExtension(db: Kysely<Database>, values: NewExtension): Promise<void> {
  await db
    .insertInto('obligation_extensions')
    .values({
      obligation_id: values.obligationId,
      meeting: values.meeting,
      new_deadline: values.newDeadline,
      granted_on: values.grantedOn,
      source: values.source,
      created_by: values.userId,
      created_at: sql`now()`,
    })
    .execute();
}

export interface ObligationChange {
  current_deadline?: string | null;
  status?: ObligationStatus;
  completed_on?: string | null;
  source?: string;
  confirmedBy?: string;
}

/** Applies a user's change and marks the row as changed by that user (see the geodata loader). */
export async function updateObligation(
  db: Kysely<Database>,
  id: string,
  userId: string,
  change: ObligationChange,
): Promise<void> {
  const { confirmedBy, ...columns } = change;
  await db
    .updateTable('obligations')
    .set({
      ...columns,
      ...(confirmedBy ? { confidence: 'verified' as const, confirmed_by: confirmedBy, confirmed_at: sql`now()` } : {}),
      updated_by: userId,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** Closes the obligation's open extension requests: a user recorded their outcome (see the geodata loader). */
export async function resolveRequests(db: Kysely<Database>, obligationId: string, userId: string): Promise<void> {
  await db
    .updateTable('obligation_requests')
    .set({ resolved_by: userId, resolved_at: sql`now()` })
    .where('obligation_id', '=', obligationId)
    .where('resolved_at', 'is', null)
    .execute();
}
