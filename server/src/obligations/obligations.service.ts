import type { z } from 'zod';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { type Actor, assertCanWriteObligations } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { countryExists } from '../geodata/countries.repository.js';
import { badRequest, conflict, notFound } from '../http/http-error.js';
import * as repo from './obligations.repository.js';
import { toPendingExtension } from './extension-requests.js';
import {
  type CompletionCreate,
  type Confirmation,
  type ExtensionCreate,
  type ObligationOut,
  TREATIES,
  type TreatyName,
} from './obligations.schema.js';

export function toObligation(row: repo.ObligationRecord): ObligationOut {
  return {
    country: row.country_iso3,
    treaty: row.treaty,
    article: row.article,
    entry_into_force: row.entry_into_force,
    original_deadline: row.original_deadline,
    current_deadline: row.current_deadline,
    status: row.status,
    completed_on: row.completed_on,
    extensions: row.extensions,
    pending_extension: toPendingExtension(row.pending_request),
    source: row.source,
    confidence: row.confidence,
    verified: row.confidence === 'verified',
    confirmed_at: row.confirmed_at ? row.confirmed_at.toISOString() : null,
    confirmed_by: row.confirmed_by === null ? null : Number(row.confirmed_by),
  };
}

export async function listObligations(
  db: Db,
  filter: { country?: string; treaty?: TreatyName },
): Promise<ObligationOut[]> {
  return (await repo.listObligations(db, filter)).map(toObligation);
}

export async function countryObligations(db: Db, iso3: string): Promise<ObligationOut[]> {
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  return listObligations(db, { country: iso3 });
}

/** Adds a source to the ';'-separated list, keeping the earlier ones and not repeating itself. */
export function appendSource(sources: string, added: string): string {
  const list = sources
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.includes(added) ? list.join(';') : [...list, added].join(';');
}

type Action = 'extend' | 'complete' | 'confirm';

/**
 * One write to one obligation: scope check, the row locked FOR UPDATE, the change, and an audit
 * row with the obligation as it was and as it is now, all in one transaction.
 */
async function writeObligation(
  db: Db,
  actor: Actor,
  iso3: string,
  treatyParam: string,
  action: Action,
  change: (current: ObligationOut) => repo.ObligationChange & {
    extension?: Omit<repo.NewExtension, 'obligationId' | 'userId'>;
    /** The write is the outcome of the open extension requests: they close. */
    resolvesRequests?: boolean;
  },
): Promise<ObligationOut> {
  assertCanWriteObligations(actor, iso3);
  const treaty = TREATIES.find((t) => t === treatyParam);
  if (!treaty) throw notFound(`treaty ${treatyParam} (use CCM or APMBC)`);
  return afterCommit(
    'obligations',
    db.transaction().execute(async (trx) => {
      const id = await repo.lockObligation(trx, iso3, treaty);
      if (!id) throw notFound(`${treaty} obligation of ${iso3}`);
      const before = toObligation((await repo.findObligation(trx, id))!);
      const { extension, resolvesRequests, ...columns } = change(before);
      if (extension) await repo.insertExtension(trx, { ...extension, obligationId: id, userId: actor.id });
      if (resolvesRequests) await repo.resolveRequests(trx, id, actor.id);
      await repo.updateObligation(trx, id, actor.id, columns);
      const after = toObligation((await repo.findObligation(trx, id))!);
      await writeAudit(trx, { userId: actor.id, action, entity: 'obligation', entityId: id, before, after });
      return after;
    }),
  );
}

export function addExtension(
  db: Db,
  actor: Actor,
  iso3: string,
  treaty: string,
  body: z.infer<typeof ExtensionCreate>,
) {
  return writeObligation(db, actor, iso3, treaty, 'extend', (current) => {
    if (body.new_deadline <= current.original_deadline) {
      const message = `must be after the original deadline ${current.original_deadline}`;
      throw badRequest(`body.new_deadline: ${message}`, [{ path: 'body.new_deadline', message }]);
    }
    const same = current.extensions.find((e) => e.new_deadline === body.new_deadline);
    if (same) {
      const message = `an extension to ${body.new_deadline} is already recorded (${same.meeting})`;
      throw conflict(message, [{ path: 'body.new_deadline', message }]);
    }
    // A grant older than the deadline now in force (history being filled in) does not move it back.
    const moves = current.current_deadline === null || body.new_deadline > current.current_deadline;
    return {
      extension: {
        meeting: body.meeting,
        newDeadline: body.new_deadline,
        grantedOn: body.granted_on ?? null,
        source: body.source,
      },
      ...(moves ? { current_deadline: body.new_deadline, resolvesRequests: true } : {}),
      source: appendSource(current.source, body.source),
    };
  });
}

export function markCompleted(
  db: Db,
  actor: Actor,
  iso3: string,
  treaty: string,
  body: z.infer<typeof CompletionCreate>,
) {
  return writeObligation(db, actor, iso3, treaty, 'complete', (current) => {
    if (body.completed_on < current.entry_into_force) {
      const message = `must not be before entry into force ${current.entry_into_force}`;
      throw badRequest(`body.completed_on: ${message}`, [{ path: 'body.completed_on', message }]);
    }
    return {
      status: 'completed',
      completed_on: body.completed_on,
      source: appendSource(current.source, body.source),
      resolvesRequests: true,
    };
  });
}

export function confirm(db: Db, actor: Actor, iso3: string, treaty: string, body: z.infer<typeof Confirmation>) {
  return writeObligation(db, actor, iso3, treaty, 'confirm', (current) => ({
    confirmedBy: actor.id,
    source: appendSource(current.source, body.source),
  }));
}
