import type { Response } from 'express';
import { writeOrStop } from '../http/stream-write.js';
import { csvRow } from '../shared/csv.js';
import type { EntryRow } from './plans.documents.js';
import type { PlanResults } from './plans.schema.js';

// A plan's schedule as a spreadsheet: one row per team, month, method and hazard, so the rows of
// a hazard add up to its remaining area and the rows of a month to what the teams release in it.
// A plan of decades makes hundreds of thousands of rows: they are written as the client takes them.

const COLUMNS = [
  'team_id',
  'team',
  'organisation',
  'team_type',
  'method',
  'start_on',
  'end_on',
  'working_days',
  'package_id',
  'hazard_id',
  'area_m2',
] as const;

/** Entries written per chunk: large enough to keep writes few, small enough to keep memory flat. */
const ENTRIES_PER_CHUNK = 2_000;

/** The CSV lines of one entry, one per hazard part. */
function entryLines(entry: EntryRow, team: PlanResults['teams'][number] | undefined): string {
  return entry.hazard_ids
    .map((hazardId, i) =>
      csvRow([
        entry.team_id,
        team?.name,
        team?.organisation_name,
        team?.type,
        entry.method,
        entry.start_on,
        entry.end_on,
        entry.working_days,
        entry.package_ids[i],
        hazardId,
        Math.round(entry.hazard_area_m2[i]! * 100) / 100,
      ]),
    )
    .join('');
}

/** Writes the schedule CSV to the response; stops early when the client goes away. */
export async function writeScheduleCsv(
  entries: Iterable<EntryRow>,
  teams: PlanResults['teams'],
  res: Response,
): Promise<void> {
  const byId = new Map(teams.map((t) => [t.id, t]));
  let chunk = csvRow(COLUMNS);
  let count = 0;
  for (const entry of entries) {
    chunk += entryLines(entry, byId.get(entry.team_id));
    count += 1;
    if (count % ENTRIES_PER_CHUNK === 0) {
      if (!(await writeOrStop(res, chunk))) return;
      chunk = '';
    }
  }
  res.end(chunk);
}
