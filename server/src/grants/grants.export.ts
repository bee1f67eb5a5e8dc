import type { Response } from 'express';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { csvRow as csvLine } from '../shared/csv.js';
import { writeOrStop } from '../http/stream-write.js';
import { listGrants } from './grants.repository.js';
import type { GrantFilter, GrantOut } from './grants.schema.js';
import { toGrant } from './grants.service.js';

const PAGE = 1_000;

/** Every grant matching the filter that the actor may see, a page at a time. */
async function* visibleGrants(db: Db, actor: Actor | null, filter: GrantFilter): AsyncGenerator<GrantOut[]> {
  let cursor: number | undefined;
  for (;;) {
    const rows = await listGrants(db, actor, { ...filter, limit: PAGE, cursor });
    if (rows.length) yield rows.map(toGrant);
    if (rows.length < PAGE) return;
    cursor = Number(rows[rows.length - 1]!.id);
  }
}

/** A sum of transactions in USD; null when any of them has no rate. */
const usdTotal = (transactions: GrantOut['transactions']) =>
  transactions.some((t) => t.amount_usd === null)
    ? null
    : Math.round(transactions.reduce((sum, t) => sum + t.amount_usd!, 0) * 100) / 100;

const CSV_COLUMNS = [
  'id',
  'donor_id',
  'donor_name',
  'recipient_id',
  'recipient_name',
  'country_iso3',
  'amount',
  'currency',
  'amount_usd',
  'rate_missing',
  'start_on',
  'end_on',
  'status',
  'visibility',
  'purpose',
  'iati_identifier',
  'committed',
  'disbursed',
  'committed_usd',
  'disbursed_usd',
  'version',
] as const;

/** One CSV record per grant: its fields, and its transactions summed by type in its currency and in USD. */
function csvRecord(grant: GrantOut): string {
  const ofType = (type: 'commitment' | 'disbursement') => grant.transactions.filter((t) => t.type === type);
  const total = (type: 'commitment' | 'disbursement') =>
    Math.round(ofType(type).reduce((sum, t) => sum + t.amount, 0) * 100) / 100;
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> = {
    ...grant,
    committed: total('commitment'),
    disbursed: total('disbursement'),
    committed_usd: usdTotal(ofType('commitment')),
    disbursed_usd: usdTotal(ofType('disbursement')),
  };
  return csvLine(CSV_COLUMNS.map((column) => values[column]));
}

/** The grants as CSV (shared/csv.ts: RFC 4180, formulas made inert), streamed. */
export async function writeGrantsCsv(db: Db, actor: Actor | null, filter: GrantFilter, res: Response) {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="grants.csv"');
  if (!(await writeOrStop(res, csvLine(CSV_COLUMNS)))) return;
  for await (const page of visibleGrants(db, actor, filter)) {
    if (!(await writeOrStop(res, page.map(csvRecord).join('')))) return;
  }
  res.end();
}

/** The grants as one JSON document `{"grants": [...]}`, as GET /grants shows them, streamed. */
export async function writeGrantsJson(db: Db, actor: Actor | null, filter: GrantFilter, res: Response) {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="grants.json"');
  let separator = '';
  if (!(await writeOrStop(res, '{"grants":['))) return;
  for await (const page of visibleGrants(db, actor, filter)) {
    for (const grant of page) {
      if (!(await writeOrStop(res, `${separator}\n${JSON.stringify(grant)}`))) return;
      separator = ',';
    }
  }
  res.end('\n]}\n');
}
