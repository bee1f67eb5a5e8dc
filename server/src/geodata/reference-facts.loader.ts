import { parse } from 'csv-parse/sync';
import { sql, type Transaction } from 'kysely';
import type { Database, ObligationStatus } from '../db/database.js';

// The reference facts in geodata/ (obligations, reported figures, pending extension requests):
// CSV files checked line by line, staged in a temp table, then merged into their tables.

export type Trx = Transaction<Database>;
export type Log = (line: string) => void;
type Row = Record<string, string>;
interface CsvRow {
  line: number;
  row: Row;
}

const BATCH = 200;
const ISO3 = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const NUMBER = /^\d+(\.\d+)?$/;
const CONFIDENCE = new Set(['verified', 'recalled']);
const STATUS = new Set<ObligationStatus>(['in_progress', 'completed', 'not_applicable', 'declared_completed_then_new_contamination']);

// --- obligations and reported figures ------------------------------------------------------------
// The file wins for the rows it ships (matched on their natural key); rows that are not in the
// file are left alone, since authorised users may add obligations and figures of their own.
// Exception: an obligation a user has changed through the API is kept as the user left it.

function readCsv(file: string, content: Buffer, columns: string[]): CsvRow[] {
  const options = { columns: true, info: true, skip_empty_lines: true, trim: true } as const;
  const records = parse<{ record: Row; info: { lines: number } }>(content, options);
  const header = Object.keys(records[0]?.record ?? {});
  const missing = columns.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new Error(`${file}: missing columns ${missing.join(', ')}`);
  return records.map(({ record, info }) => ({ line: info.lines, row: record }));
}

function check(ok: boolean, file: string, line: number, message: string): void {
  if (!ok) throw new Error(`${file} line ${line}: ${message}`);
}

/** Creates a temp staging table and fills it in batches, one parameter array per column. */
async function stageRows(trx: Trx, table: string, columns: Record<string, string>, rows: unknown[][]): Promise<void> {
  const names = Object.keys(columns);
  const definitions = names.map((name) => sql`${sql.ref(name)} ${sql.raw(columns[name]!)}`);
  await sql`CREATE TEMP TABLE ${sql.table(table)} (${sql.join(definitions)}) ON COMMIT DROP`.execute(trx);
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const arrays = names.map((name, i) => sql`${batch.map((row) => row[i] ?? null)}::${sql.raw(columns[name]!)}[]`);
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))})
      SELECT * FROM unnest(${sql.join(arrays)})`.execute(trx);
  }
}

async function assertCountries(trx: Trx, file: string, table: string): Promise<void> {
  const missing = await sql<{ line: number; country_iso3: string }>`SELECT line, country_iso3 FROM ${sql.table(table)} s
    WHERE NOT EXISTS (SELECT 1 FROM countries c WHERE c.iso3 = s.country_iso3) ORDER BY line`.execute(trx);
  const first = missing.rows[0];
  if (first) {
    const count = missing.rows.length;
    throw new Error(`${file} line ${first.line}: no country ${first.country_iso3} (${count} rows without a country)`);
  }
}

export async function loadObligations(trx: Trx, content: Buffer, log: Log): Promise<void> {
  const file = 'obligations.csv';
  const columns = ['iso3', 'treaty', 'article', 'entry_into_force', 'original_deadline', 'current_deadline',
    'extensions', 'status', 'completed_on', 'source', 'confidence'];
  const obligations: unknown[][] = [];
  const extensions: unknown[][] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of readCsv(file, content, columns)) {
    const ok = (cond: boolean, message: string): void => check(cond, file, line, message);
    ok(ISO3.test(row.iso3!), `bad iso3 "${row.iso3}"`);
    ok(row.treaty === 'CCM' || row.treaty === 'APMBC', `bad treaty "${row.treaty}"`);
    ok(!seen.has(`${row.iso3} ${row.treaty}`), `same country and treaty as line ${seen.get(`${row.iso3} ${row.treaty}`)}`);
    seen.set(`${row.iso3} ${row.treaty}`, line);
    ok(/^[1-9]\d*$/.test(row.article!), `bad article "${row.article}"`);
    for (const column of ['entry_into_force', 'original_deadline']) ok(DATE.test(row[column]!), `bad ${column} "${row[column]}"`);
    ok(row.current_deadline === '' || DATE.test(row.current_deadline!), `bad current_deadline "${row.current_deadline}"`);
    ok(row.completed_on === '' || PARTIAL_DATE.test(row.completed_on!), `bad completed_on "${row.completed_on}"`);
    ok(row.source !== '', 'source is empty');
    ok(CONFIDENCE.has(row.confidence!), `bad confidence "${row.confidence}"`);
    const grants = row.extensions === '' ? [] : row.extensions!.split(';').map((grant) => grant.split(':'));
    for (const grant of grants) {
      ok(grant.length === 2 && grant[0] !== '' && DATE.test(grant[1]!), `bad extension "${grant.join(':')}"`);
    }
    for (const [meeting, deadline] of grants) extensions.push([row.iso3, row.treaty, meeting, deadline]);
    // A blank current_deadline means no source confirmed the deadline now in force: it stays NULL
    // (unknown) rather than guessed from older grants.
    const current = row.current_deadline === '' ? null : row.current_deadline;
    ok(STATUS.has(row.status as ObligationStatus), `bad status "${row.status}"`);
    obligations.push([line, row.iso3, row.treaty, Number(row.article), row.entry_into_force, row.original_deadline, current,
      row.status, row.completed_on || null, row.source, row.confidence]);
  }
  await stageRows(trx, 'geodata_obligations', { line: 'int', country_iso3: 'text', treaty: 'treaty',
    article: 'smallint', entry_into_force: 'date', original_deadline: 'date', current_deadline: 'date',
    status: 'obligation_status', completed_on: 'text', source: 'text', confidence: 'source_confidence' }, obligations);
  await stageRows(trx, 'geodata_extensions', { country_iso3: 'text', treaty: 'treaty', meeting: 'text',
    new_deadline: 'date' }, extensions);
  await assertCountries(trx, file, 'geodata_obligations');

  // A row a user changed through the API (extension, completion, confirmation: updated_at set) is
  // newer than the file, so the file no longer wins for it: neither the row nor its extensions are
  // touched, and the log names it so a maintainer can fold the change back into the CSV. The WHERE
  // is evaluated on the locked row, so a user's write committed meanwhile is seen, not overwritten.
  const upserted = await sql<{ country_iso3: string; treaty: string }>`INSERT INTO obligations (country_iso3, treaty,
      article, entry_into_force, original_deadline, current_deadline, status, completed_on, source, confidence)
    SELECT country_iso3, treaty, article, entry_into_force, original_deadline, current_deadline, status, completed_on,
      source, confidence FROM geodata_obligations
    ON CONFLICT (country_iso3, treaty) DO UPDATE SET article = EXCLUDED.article, entry_into_force = EXCLUDED.entry_into_force,
      original_deadline = EXCLUDED.original_deadline, current_deadline = EXCLUDED.current_deadline, status = EXCLUDED.status,
      completed_on = EXCLUDED.completed_on, source = EXCLUDED.source, confidence = EXCLUDED.confidence
      WHERE obligations.updated_at IS NULL
    RETURNING country_iso3, treaty`.execute(trx);
  const loaded = new Set(upserted.rows.map((r) => `${r.country_iso3} ${r.treaty}`));
  const kept = obligations.map((row) => `${row[1]} ${row[2]}`).filter((key) => !loaded.has(key));
  // An obligation's extension history is part of the row the file ships: replace it whole.
  await sql`DELETE FROM obligation_extensions e USING obligations o, geodata_obligations s
    WHERE e.obligation_id = o.id AND o.country_iso3 = s.country_iso3 AND o.treaty = s.treaty
      AND o.updated_at IS NULL`.execute(trx);
  await sql`INSERT INTO obligation_extensions (obligation_id, meeting, new_deadline)
    SELECT o.id, x.meeting, x.new_deadline FROM geodata_extensions x
    JOIN obligations o ON o.country_iso3 = x.country_iso3 AND o.treaty = x.treaty
    WHERE o.updated_at IS NULL`.execute(trx);
  log(`${obligations.length - kept.length} obligations loaded, ${extensions.length} extensions in the file` +
    (kept.length ? `; kept as users changed them: ${kept.join(', ')}` : ''));
}

export async function loadFigures(trx: Trx, content: Buffer, log: Log): Promise<void> {
  const file = 'figures.csv';
  const amounts = ['remaining_km2', 'cancelled_km2', 'reduced_km2', 'cleared_km2'];
  const rows: unknown[][] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of readCsv(file, content, ['iso3', 'year', 'contamination', ...amounts, 'source', 'confidence'])) {
    const ok = (cond: boolean, message: string): void => check(cond, file, line, message);
    ok(ISO3.test(row.iso3!), `bad iso3 "${row.iso3}"`);
    ok(/^\d{4}$/.test(row.year!), `bad year "${row.year}"`);
    ok(['ap_mines', 'cmr', 'erw', 'all'].includes(row.contamination!), `bad contamination "${row.contamination}"`);
    // A blank cell means "not reported separately": it becomes NULL, never 0.
    for (const column of amounts) ok(row[column] === '' || NUMBER.test(row[column]!), `bad ${column} "${row[column]}"`);
    ok(row.source !== '', 'source is empty');
    ok(CONFIDENCE.has(row.confidence!), `bad confidence "${row.confidence}"`);
    const key = [row.iso3, row.year, row.contamination, row.source].join('|');
    ok(!seen.has(key), `same country, year, contamination and source as line ${seen.get(key)}`);
    seen.set(key, line);
    const values = amounts.map((column) => row[column] || null);
    rows.push([line, row.iso3, Number(row.year), row.contamination, ...values, row.source, row.confidence]);
  }
  await stageRows(trx, 'geodata_figures', { line: 'int', country_iso3: 'text', year: 'smallint',
    contamination: 'figure_contamination', remaining_km2: 'numeric', cancelled_km2: 'numeric', reduced_km2: 'numeric',
    cleared_km2: 'numeric', source: 'text', confidence: 'source_confidence' }, rows);
  await assertCountries(trx, file, 'geodata_figures');
  await sql`INSERT INTO reported_figures (country_iso3, year, contamination, remaining_km2, cancelled_km2, reduced_km2,
      cleared_km2, source, confidence)
    SELECT country_iso3, year, contamination, remaining_km2, cancelled_km2, reduced_km2, cleared_km2, source, confidence
    FROM geodata_figures
    ON CONFLICT (country_iso3, year, contamination, source) DO UPDATE SET remaining_km2 = EXCLUDED.remaining_km2,
      cancelled_km2 = EXCLUDED.cancelled_km2, reduced_km2 = EXCLUDED.reduced_km2, cleared_km2 = EXCLUDED.cleared_km2,
      confidence = EXCLUDED.confidence`.execute(trx);
  log(`${rows.length} figures`);
}

export async function loadRequests(trx: Trx, content: Buffer, log: Log): Promise<void> {
  const file = 'pending-requests.csv';
  const columns = ['iso3', 'treaty', 'requested_deadline', 'submitted', 'meeting', 'decision', 'source', 'confidence'];
  const rows: unknown[][] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of readCsv(file, content, columns)) {
    const ok = (cond: boolean, message: string): void => check(cond, file, line, message);
    ok(ISO3.test(row.iso3!), `bad iso3 "${row.iso3}"`);
    ok(row.treaty === 'CCM' || row.treaty === 'APMBC', `bad treaty "${row.treaty}"`);
    ok(row.requested_deadline === '' || DATE.test(row.requested_deadline!), `bad requested_deadline "${row.requested_deadline}"`);
    ok(row.submitted === '' || PARTIAL_DATE.test(row.submitted!), `bad submitted "${row.submitted}"`);
    ok(/^[1-9]\d?(MSP|RC)$/.test(row.meeting!), `bad meeting "${row.meeting}"`);
    ok(row.decision !== '', 'decision is empty');
    ok(row.source !== '', 'source is empty');
    ok(CONFIDENCE.has(row.confidence!), `bad confidence "${row.confidence}"`);
    const key = `${row.iso3} ${row.treaty} ${row.meeting}`;
    ok(!seen.has(key), `same country, treaty and meeting as line ${seen.get(key)}`);
    seen.set(key, line);
    rows.push([line, row.iso3, row.treaty, row.requested_deadline || null, row.submitted || null, row.meeting, row.decision,
      row.source, row.confidence]);
  }
  await stageRows(trx, 'geodata_requests', { line: 'int', country_iso3: 'text', treaty: 'treaty', requested_deadline: 'date',
    submitted: 'text', meeting: 'text', decision: 'text', source: 'text', confidence: 'source_confidence' }, rows);
  const orphan = await sql<{ line: number; country_iso3: string; treaty: string }>`SELECT line, country_iso3, treaty
    FROM geodata_requests s WHERE NOT EXISTS (SELECT 1 FROM obligations o WHERE o.country_iso3 = s.country_iso3
      AND o.treaty = s.treaty) ORDER BY line LIMIT 1`.execute(trx);
  const first = orphan.rows[0];
  if (first) throw new Error(`${file} line ${first.line}: no ${first.treaty} obligation of ${first.country_iso3}`);

  // As for obligations, a request a user has closed through the API (resolved_at set) is newer
  // than the file and stays as the user left it. Users cannot add requests, so an open request
  // the file no longer lists was decided or withdrawn: it goes.
  await sql`DELETE FROM obligation_requests r USING obligations o WHERE r.obligation_id = o.id AND r.resolved_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM geodata_requests s WHERE s.country_iso3 = o.country_iso3 AND s.treaty = o.treaty
      AND s.meeting = r.meeting)`.execute(trx);
  const upserted = await sql<{ id: string }>`INSERT INTO obligation_requests (obligation_id, requested_deadline, submitted,
      meeting, decision, source, confidence)
    SELECT o.id, s.requested_deadline, s.submitted, s.meeting, s.decision, s.source, s.confidence
    FROM geodata_requests s JOIN obligations o ON o.country_iso3 = s.country_iso3 AND o.treaty = s.treaty
    ON CONFLICT (obligation_id, meeting) DO UPDATE SET requested_deadline = EXCLUDED.requested_deadline,
      submitted = EXCLUDED.submitted, decision = EXCLUDED.decision, source = EXCLUDED.source, confidence = EXCLUDED.confidence
      WHERE obligation_requests.resolved_at IS NULL
    RETURNING id`.execute(trx);
  const kept = rows.length - upserted.rows.length;
  log(`${upserted.rows.length} requests loaded${kept ? `; ${kept} kept as users closed them` : ''}`);
}
