import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

export interface AuditRow {
  id: string;
  action: string;
  at: Date;
  user_id: string | null;
  email: string | null;
  before: unknown;
  after: unknown;
}

/** Every audit row of one feature, oldest first. */
export async function auditTrail(
  db: Kysely<Database>,
  entity: 'hazard' | 'release' | 'task',
  entityId: string,
): Promise<AuditRow[]> {
  return (
    db
      .selectFrom('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.id', 'a.action', 'a.at', 'a.user_id', 'u.email', 'a.before'])
      // An imported hazard's snapshot is rebuilt from its staged feature (sg_audit_after).
      .select(sql<unknown>`sg_audit_after(a)`.as('after'))
      .where('a.entity', '=', entity)
      .where('a.entity_id', '=', entityId)
      .orderBy('a.id')
      .execute() as Promise<AuditRow[]>
  );
}

/** A hazard's header whether or not it is deleted (the hazards repository only sees live ones). */
export async function findHazardAnyState(db: Kysely<Database>, id: string, options: { forUpdate?: boolean } = {}) {
  let query = db
    .selectFrom('hazards')
    .select(['id', 'country_iso3', 'external_ref', 'version', 'updated_at', 'deleted_at'])
    .where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Another live hazard of the country already carrying this reference (it would block a restore). */
export async function liveHazardWithReference(db: Kysely<Database>, iso3: string, ref: string, exceptId: string) {
  const row = await db
    .selectFrom('hazards')
    .select('id')
    .where('country_iso3', '=', iso3)
    .where('external_ref', '=', ref)
    .where('deleted_at', 'is', null)
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return row?.id;
}

/** Brings a deleted hazard back; the restore that follows bumps its version and refreshes the engine. */
export async function undeleteHazard(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('hazards')
    .set({ deleted_at: sql`NULL` })
    .where('id', '=', id)
    .execute();
}
