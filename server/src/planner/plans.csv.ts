import { csvRow, csvTable } from '../shared/csv.js';
import type { EntryRow } from './plans.repository.js';
import type { PlanResults } from './plans.schema.js';

// A plan's schedule as a spreadsheet: one row per team, month, method and hazard, so the rows of
// a hazard add up to its remaining area and the rows of a month to what the teams release in it.

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

export function scheduleCsv(entries: readonly EntryRow[], teams: PlanResults['teams']): string {
  const byId = new Map(teams.map((t) => [t.id, t]));
  const rows = entries.flatMap((entry) => {
    const team = byId.get(entry.team_id);
    return entry.hazard_ids.map((hazardId, i) => ({
      team_id: entry.team_id,
      team: team?.name,
      organisation: team?.organisation_name,
      team_type: team?.type,
      method: entry.method,
      start_on: entry.start_on,
      end_on: entry.end_on,
      working_days: entry.working_days,
      package_id: entry.package_ids[i],
      hazard_id: hazardId,
      area_m2: Math.round(entry.hazard_area_m2[i]! * 100) / 100,
    }));
  });
  return rows.length ? csvTable(COLUMNS, rows) : csvRow(COLUMNS);
}
