import { once } from 'node:events';
import { promisify } from 'node:util';
import { createGzip, gunzip } from 'node:zlib';
import type { ReleaseMethod } from '../db/schema.generated.js';
import type { ScheduleEntry } from './schedule.model.js';

// The two documents a computed plan's schedule is stored as (the plans table says why):
//  * schedule: the JSON array GET /plans/{id} shows, served as it is;
//  * entries: one JSON object per line and entry, with what it releases on each hazard of each
//    package, read one line at a time by the CSV and the tasks a plan proposes.
// Both are written from the schedule and gzip-compressed as they are written, in libuv's threads;
// a plan converted from rows by migration holds them as plain UTF-8.

/** An entry as the entries document stores it: hazard_ids, package_ids and hazard_area_m2 run in parallel. */
export interface EntryRow {
  team_id: number;
  method: ReleaseMethod;
  start_on: string;
  end_on: string;
  working_days: number;
  area_m2: number;
  hazard_ids: number[];
  package_ids: number[];
  hazard_area_m2: number[];
}

/** Text handed to the compressor at a time: few writes, and no document ever whole in memory. */
const CHUNK_CHARS = 1 << 16;

/**
 * Items joined by a separator between an opening and a closing text, gzip-compressed as they
 * come: only the compressed document is ever held whole.
 */
async function gzipJoined(items: Iterable<string>, open: string, separator: string, close: string): Promise<Buffer> {
  const zip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  zip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(zip, 'end');
  let pending = open;
  let first = true;
  for (const item of items) {
    pending += first ? item : separator + item;
    first = false;
    if (pending.length >= CHUNK_CHARS) {
      if (!zip.write(pending)) await once(zip, 'drain');
      pending = '';
    }
  }
  zip.end(pending + close);
  await ended;
  return Buffer.concat(chunks);
}

/**
 * Each hazard part's area is kept to the square centimetre, as the CSV shows it: the digits of
 * full doubles made up most of the document and of the time to write it. The entry's own area
 * keeps full precision.
 */
const centimetres = (m2: number) => Math.round(m2 * 100) / 100;

const common = (e: ScheduleEntry) => ({
  method: e.method,
  start_on: e.startOn,
  end_on: e.endOn,
  working_days: e.workingDays,
  area_m2: e.areaM2,
});

function* shownEntries(entries: readonly ScheduleEntry[]): Generator<string> {
  for (const e of entries) {
    const hazardIds = new Set(e.parts.map((p) => p.hazardId));
    yield JSON.stringify({ team_id: e.teamId, hazard_ids: [...hazardIds], ...common(e) });
  }
}

function* entryLines(entries: readonly ScheduleEntry[]): Generator<string> {
  for (const e of entries) {
    const row: EntryRow = {
      team_id: e.teamId,
      ...common(e),
      hazard_ids: e.parts.map((p) => p.hazardId),
      package_ids: e.parts.map((p) => p.packageId),
      hazard_area_m2: e.parts.map((p) => centimetres(p.areaM2)),
    };
    yield JSON.stringify(row);
  }
}

/** The two documents of a schedule, compressed in libuv's threads while the event loop goes on. */
export async function scheduleDocuments(
  entries: readonly ScheduleEntry[],
): Promise<{ schedule: Buffer; entries: Buffer }> {
  const [schedule, stored] = await Promise.all([
    gzipJoined(shownEntries(entries), '[', ',', ']'),
    gzipJoined(entryLines(entries), '', '\n', ''),
  ]);
  return { schedule, entries: stored };
}

/** A stored document as text: gzip as the app writes it, or plain UTF-8 (gzip starts 1f 8b, no JSON text does). */
export async function documentText(bytes: Buffer | null): Promise<string> {
  if (bytes === null) return '';
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzipped ? await promisify(gunzip)(bytes) : bytes).toString('utf8');
}

/** The entries of an entries document in order, parsed one line at a time; `until`: those starting before that day. */
export function* entryRows(text: string, until?: string): Generator<EntryRow> {
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const entry = JSON.parse(line) as EntryRow;
    if (until === undefined || entry.start_on < until) yield entry;
  }
}
