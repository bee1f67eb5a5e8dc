import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

export interface AuditEntry {
  userId: string | null;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * The creation rows of many features written in bulk (the demo ledger), in one statement: each
 * snapshot is the feature as its write returned it, as writeAudit records a single creation.
 */
export async function writeCreationAudits(
  db: Kysely<Database>,
  entity: 'hazard' | 'release',
  features: ReadonlyArray<{ id: number }>,
): Promise<void> {
  if (features.length === 0) return;
  await sql`
    INSERT INTO audit_log (user_id, action, entity, entity_id, after)
    SELECT NULL, 'create', ${entity}, (f ->> 'id'), f
      FROM jsonb_array_elements(${JSON.stringify(features)}::jsonb) AS f`.execute(db);
}

/** Called inside the write's own transaction, so a write and its audit row land together or not at all. */
export async function writeAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      user_id: entry.userId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}
