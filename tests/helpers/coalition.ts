import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/pool.js';
import { rectangle } from './geo.js';
import type { TestApp } from './test-app.js';

// Coalition rows (organisations, exchange rates, grants with transactions, tasks with hazards and
// funding, releases under tasks) written with plain SQL inserts into the tables of the coalition
// migration, so tests do not depend on the write APIs that manage them.

type Kind =
  'national_authority' | 'operator' | 'donor_government' | 'donor_multilateral' | 'un_agency' | 'ngo' | 'other';

/** An organisation by name (created when missing); returns its id. */
export async function organisation(db: Db, name: string, kind: Kind, country: string | null = null): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO organisations (name, kind, country_iso3) VALUES (${name}, ${kind}::organisation_kind, ${country})
    ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
    RETURNING id`.execute(db);
  return String(rows[0]!.id);
}

export async function exchangeRate(db: Db, currency: string, year: number, usdPerUnit: number, source = 'test rate') {
  await sql`
    INSERT INTO exchange_rates (currency, year, usd_per_unit, source) VALUES (${currency}, ${year}, ${usdPerUnit}, ${source})
    ON CONFLICT (currency, year) DO UPDATE SET usd_per_unit = EXCLUDED.usd_per_unit`.execute(db);
}

export interface GrantInput {
  donor: string;
  recipient: string;
  country: string;
  amount: number;
  currency?: string;
  start_on?: string;
  end_on?: string;
  status?: 'pledged' | 'committed' | 'disbursed';
  visibility?: 'public' | 'coalition';
  purpose?: string;
  transactions?: Array<{ type: 'commitment' | 'disbursement'; on: string; amount: number }>;
}

/** A grant with its transactions; returns its id. */
export async function grant(db: Db, input: GrantInput): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO grants (donor_id, recipient_id, country_iso3, amount, currency, start_on, end_on, status, visibility, purpose)
    VALUES (${input.donor}, ${input.recipient}, ${input.country}, ${input.amount}, ${input.currency ?? 'USD'},
            ${input.start_on ?? '2015-01-01'}, ${input.end_on ?? '2030-12-31'}, ${input.status ?? 'committed'}::grant_status,
            ${input.visibility ?? 'public'}::grant_visibility, ${input.purpose ?? ''})
    RETURNING id`.execute(db);
  const id = String(rows[0]!.id);
  for (const t of input.transactions ?? [])
    await sql`
      INSERT INTO grant_transactions (grant_id, type, transaction_date, amount)
      VALUES (${id}, ${t.type}::grant_transaction_type, ${t.on}, ${t.amount})`.execute(db);
  return id;
}

export interface TaskInput {
  organisation: string;
  hazards: Array<string | number>;
  country?: string;
  method?: 'non_technical_survey' | 'technical_survey' | 'clearance' | 'eod_spot_task';
  status?: 'proposed' | 'rejected' | 'approved' | 'ongoing' | 'suspended' | 'completed' | 'cancelled';
  planned_start?: string;
  planned_end?: string;
  /** [grant id, share] pairs; shares should sum to 1. */
  funding?: Array<[grant: string, share: number]>;
}

/** A task on hazards (its geometry the union of theirs), with its funding; returns its id. */
export async function task(db: Db, input: TaskInput): Promise<string> {
  const hazards = input.hazards.map(String);
  const { rows } = await sql<{ id: string }>`
    INSERT INTO tasks (country_iso3, organisation_id, method, planned_start, planned_end, status, decision_reason, geom, area_m2)
    SELECT coalesce(${input.country ?? null}, min(h.country_iso3)), ${input.organisation}, ${input.method ?? 'clearance'}::task_method,
           ${input.planned_start ?? '2018-01-01'}, ${input.planned_end ?? '2025-12-31'}, ${input.status ?? 'approved'}::task_status,
           ${input.status === 'rejected' ? 'test' : null},
           ST_Multi(ST_Union(h.geom)), ST_Area(ST_Union(h.geom)::geography)
      FROM hazards h WHERE h.id = ANY(${hazards}::bigint[])
    RETURNING id`.execute(db);
  const id = String(rows[0]!.id);
  await sql`INSERT INTO task_hazards (task_id, hazard_id) SELECT ${id}, unnest(${hazards}::bigint[])`.execute(db);
  for (const [grantId, share] of input.funding ?? [])
    await sql`INSERT INTO task_funding (task_id, grant_id, share) VALUES (${id}, ${grantId}, ${share})`.execute(db);
  return id;
}

/** Puts releases under a task (what a release's task_id property will do). */
export async function underTask(db: Db, taskId: string, releaseIds: Array<string | number>): Promise<void> {
  await sql`UPDATE land_releases SET task_id = ${taskId} WHERE id = ANY(${releaseIds.map(String)}::bigint[])`.execute(
    db,
  );
}

/** An approved release of a rectangle [west, south, east, north] on a hazard, posted by an authority; returns its id. */
export async function rectangleRelease(
  app: TestApp,
  token: string,
  hazard: string,
  rect: number[],
  method: string,
  completed_on: string,
): Promise<string> {
  const res = await app.api('POST', '/api/v1/releases', {
    token,
    body: {
      type: 'Feature',
      geometry: rectangle(rect[0]!, rect[1]!, rect[2]!, rect[3]!),
      properties: { hazard_id: Number(hazard), method, completed_on },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.properties.id);
}
