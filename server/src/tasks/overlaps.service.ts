import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Actor } from '../auth/actor.js';
import { HttpError } from '../http/http-error.js';
import * as repo from './overlaps.repository.js';
import { findOrganisations } from './tasks.repository.js';
import type { OverlapReport, TaskConflict } from './tasks.schema.js';
import { coalitionScope } from '../shared/coalition-scope.js';
import type { z } from 'zod';

// Overlap detection. The rule itself is SQL (sg_task_conflicts in sql/functions/0710_tasks.sql);
// this file turns its rows into what a proposer or the country's overlap report is told.

const limitsOf = (config: Config) => ({ minShare: config.TASK_OVERLAP_MIN_SHARE, minM2: config.TASK_OVERLAP_MIN_M2 });

const m2 = (value: number) => Math.round(value * 100) / 100;

const nameOf = (org: { name: string; acronym: string | null }) =>
  org.acronym ? `${org.name} (${org.acronym})` : org.name;

/** The conflicts a task with this area, organisation and planned dates would have (except: its own id once stored). */
export async function findConflicts(
  trx: Db,
  config: Config,
  task: { ewkb: Buffer; area_m2: number; organisation_id: string; start: string; end: string; except: string | null },
): Promise<TaskConflict[]> {
  const rows = await repo.conflictsOf(trx, task, limitsOf(config));
  const organisations = await findOrganisations(
    trx,
    rows.flatMap((r) => (r.organisation_id ? [r.organisation_id] : [])),
  );
  return rows.map((row): TaskConflict => {
    const overlap = m2(row.overlap_m2);
    if (row.kind === 'released') {
      const ids = (row.release_ids ?? []).map(Number);
      return {
        kind: 'released',
        task_id: null,
        organisation: null,
        overlap_m2: overlap,
        released: { release_ids: ids, area_m2: overlap },
        message: `${overlap} m² of the task were already released (releases ${ids.join(', ')})`,
      };
    }
    const organisation = organisations.get(row.organisation_id!)!;
    return {
      kind: 'task',
      task_id: Number(row.task_id),
      organisation,
      overlap_m2: overlap,
      released: null,
      message: `overlaps task ${row.task_id} of ${nameOf(organisation)} by ${overlap} m² in overlapping dates`,
    };
  });
}

/** 409 listing each conflict in error.details. */
export function overlapError(conflicts: TaskConflict[]): HttpError {
  return new HttpError(
    409,
    'task_overlaps',
    `the task conflicts with ${conflicts.length} other task(s) or released land; send acknowledge_overlaps=true to store it anyway`,
    conflicts.map((c) => ({ ...c, path: 'body.geometry' })),
  );
}

/** Every current conflict among the country's active tasks that this reader may see. */
export async function countryOverlaps(
  db: Db,
  config: Config,
  actor: Actor | null,
  iso3: string,
): Promise<z.infer<typeof OverlapReport>> {
  const limits = limitsOf(config);
  const rows = await repo.countryConflicts(db, iso3, limits, coalitionScope(actor));
  const organisations = await findOrganisations(db, [
    ...new Set(rows.flatMap((r) => [r.this_organisation_id, ...(r.organisation_id ? [r.organisation_id] : [])])),
  ]);
  return {
    country: iso3,
    min_share: limits.minShare,
    min_m2: limits.minM2,
    overlaps: rows.map((row) => ({
      task_id: Number(row.this_task_id),
      organisation: organisations.get(row.this_organisation_id)!,
      kind: row.kind,
      other_task_id: row.task_id === null ? null : Number(row.task_id),
      other_organisation: row.organisation_id ? organisations.get(row.organisation_id)! : null,
      release_ids: row.release_ids ? row.release_ids.map(Number) : null,
      overlap_m2: m2(row.overlap_m2),
      map_link: `/countries/${iso3}?task=${row.this_task_id}`,
    })),
  };
}
