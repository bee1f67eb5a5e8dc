import { sql, type Kysely } from 'kysely';
import type { Classification, Contamination, Database, ReleaseMethod } from '../db/database.js';

export interface ReportHazardRow {
  id: string;
  external_ref: string | null;
  name: string | null;
  classification: Classification;
  contamination: string[];
  recorded_on: string;
  area_m2: number;
  remaining_m2: number;
  lng: number;
  lat: number;
  province_code: string | null;
  province_name: string | null;
}

/** Hazards in scope with area remaining at the end of a day (sql/functions/0200_reports.sql). */
export async function hazardsRemainingAt(
  db: Kysely<Database>,
  iso3: string,
  contamination: Contamination,
  until: string,
) {
  const { rows } = await sql<ReportHazardRow>`
    SELECT * FROM sg_report_hazards(${iso3}, ${contamination}::contamination_type, ${until}::date)`.execute(db);
  return rows;
}

export interface ReportReleaseRow {
  id: string;
  external_ref: string | null;
  hazard_id: string;
  hazard_external_ref: string | null;
  method: ReleaseMethod;
  operator: string | null;
  start_on: string | null;
  completed_on: string;
  area_m2: number;
  devices: Record<string, number>;
}

/**
 * Approved releases completed within [from, until] from the country's live hazards that carry
 * the contamination type: the releases the engine counts for that scope and period.
 */
export async function releasesCompletedBetween(
  db: Kysely<Database>,
  iso3: string,
  contamination: Contamination,
  from: string,
  until: string,
): Promise<ReportReleaseRow[]> {
  return db
    .selectFrom('land_releases as r')
    .innerJoin('hazards as h', 'h.id', 'r.hazard_id')
    .leftJoin('organisations as o', 'o.id', 'r.organisation_id')
    .select([
      'r.id',
      'r.external_ref',
      'r.hazard_id',
      'h.external_ref as hazard_external_ref',
      'r.method',
      'o.name as operator',
      'r.start_on',
      'r.completed_on',
      'r.area_m2',
      'r.devices',
    ])
    .where('h.country_iso3', '=', iso3)
    .where('h.deleted_at', 'is', null)
    .where(sql<boolean>`${contamination}::contamination_type = ANY (h.contamination)`)
    .where('r.status', '=', 'approved')
    .where('r.completed_on', '>=', from)
    .where('r.completed_on', '<=', until)
    .orderBy('r.completed_on')
    .orderBy('r.id')
    .execute();
}
