import { type Actor, assertIsAdmin } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import { afterCommit } from '../db/data-changed.js';
import type { Db } from '../db/pool.js';
import { conflict, notFound } from '../http/http-error.js';
import { staleVersion } from '../http/if-match.js';
import * as repo from './exchange-rates.repository.js';
import type { RateListQuery, RateOut, RateParams, RatePut } from './exchange-rates.schema.js';

const toRate = (row: repo.RateRecord): RateOut => ({
  currency: row.currency,
  year: row.year,
  usd_per_unit: Number(row.usd_per_unit),
  source: row.source,
  version: row.version,
  updated_at: row.updated_at.toISOString(),
});

const rateName = (key: RateParams) => `the ${key.currency} rate of ${key.year}`;
const entityId = (key: RateParams) => `${key.currency}/${key.year}`;

export async function listRates(db: Db, query: RateListQuery) {
  return { rates: (await repo.listRates(db, query)).map(toRate) };
}

/**
 * Records or replaces a rate (admins only). With If-Match, the rate must exist at that version:
 * an admin editing a rate never overwrites a change they did not see.
 */
export async function putRate(
  db: Db,
  actor: Actor,
  key: RateParams,
  input: RatePut,
  expectedVersion: number | undefined,
): Promise<{ rate: RateOut; created: boolean }> {
  assertIsAdmin(actor, 'record exchange rates');
  return afterCommit(
    'exchange_rates',
    db.transaction().execute(async (trx) => {
      const current = await repo.findRate(trx, key.currency, key.year, { forUpdate: true });
      if (expectedVersion !== undefined) {
        if (!current) throw conflict(`${rateName(key)} does not exist (any more); If-Match names a version of it`);
        if (current.version !== expectedVersion) throw staleVersion(rateName(key), current, expectedVersion);
      }
      await repo.upsertRate(trx, key, { ...input, updated_by: actor.id });
      const rate = toRate((await repo.findRate(trx, key.currency, key.year))!);
      await writeAudit(trx, {
        userId: actor.id,
        action: current ? 'update' : 'create',
        entity: 'exchange_rate',
        entityId: entityId(key),
        before: current ? toRate(current) : undefined,
        after: rate,
      });
      return { rate, created: !current };
    }),
  );
}

export async function deleteRate(db: Db, actor: Actor, key: RateParams, expectedVersion: number): Promise<void> {
  assertIsAdmin(actor, 'delete exchange rates');
  await afterCommit(
    'exchange_rates',
    db.transaction().execute(async (trx) => {
      const current = await repo.findRate(trx, key.currency, key.year, { forUpdate: true });
      if (!current) throw notFound(rateName(key));
      if (current.version !== expectedVersion) throw staleVersion(rateName(key), current, expectedVersion);
      await repo.deleteRate(trx, key.currency, key.year);
      await writeAudit(trx, {
        userId: actor.id,
        action: 'delete',
        entity: 'exchange_rate',
        entityId: entityId(key),
        before: toRate(current),
      });
    }),
  );
}
