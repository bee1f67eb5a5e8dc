import type { Response } from 'express';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { type ExportFile, exportLayer } from '../exports/exports.service.js';
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

/** One CSV row per grant: its fields, and its transactions summed by type in its currency and in USD. */
function csvRow(grant: GrantOut) {
  const { transactions, ...fields } = grant;
  const ofType = (type: 'commitment' | 'disbursement') => transactions.filter((t) => t.type === type);
  const total = (type: 'commitment' | 'disbursement') =>
    Math.round(ofType(type).reduce((sum, t) => sum + t.amount, 0) * 100) / 100;
  return {
    id: String(grant.id),
    geometry: null,
    properties: {
      ...fields,
      committed: total('commitment'),
      disbursed: total('disbursement'),
      committed_usd: usdTotal(ofType('commitment')),
      disbursed_usd: usdTotal(ofType('disbursement')),
    },
  };
}

/** The grants as CSV, written by the exports module (GDAL's CSV driver). */
export async function exportGrantsCsv(db: Db, actor: Actor | null, filter: GrantFilter): Promise<ExportFile> {
  async function* pages() {
    for await (const page of visibleGrants(db, actor, filter)) yield page.map(csvRow);
  }
  return exportLayer('grants', 'csv', pages(), { tabular: true });
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
