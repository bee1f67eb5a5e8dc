import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { QualityCode } from './quality.schema.js';
import * as t from './quality.thresholds.js';

export interface FindingRow {
  code: QualityCode;
  entity: 'hazard' | 'release';
  id: string;
  reference: string | null;
  detail: string;
  area_m2: number | null;
  bbox: number[];
  total: string;
}

/**
 * Every check's findings for one country in one statement (one snapshot), each check cut to its
 * first `cap` findings, largest area first, with its true total alongside.
 */
export async function qualityFindings(
  db: Kysely<Database>,
  iso3: string,
  toleranceM: number,
  cap: number,
): Promise<FindingRow[]> {
  return db.transaction().execute(async (trx) => {
    // The spatial functions' cost estimates are huge, so PostgreSQL would JIT-compile the query,
    // which costs seconds and wins nothing here.
    await sql`SET LOCAL jit = off`.execute(trx);
    return (await findingsQuery(iso3, toleranceM, cap).execute(trx)).rows;
  });
}

function findingsQuery(iso3: string, toleranceM: number, cap: number) {
  return sql<FindingRow>`
    WITH findings AS (
      SELECT 'repaired_geometry' AS code, f.* FROM sg_quality_repaired(${iso3}) f
      UNION ALL
      SELECT 'duplicate_geometry', f.* FROM sg_quality_duplicate_geometry(${iso3}, ${t.DUPLICATE_MAX_DIFFERENCE_M2}) f
      UNION ALL
      SELECT 'duplicate_reference', f.* FROM sg_quality_duplicate_reference(${iso3}) f
      UNION ALL
      SELECT 'overlapping_hazards', f.* FROM sg_quality_overlaps(${iso3}, ${t.OVERLAP_MIN_M2}, ${t.DUPLICATE_MAX_DIFFERENCE_M2}) f
      UNION ALL
      SELECT 'sliver', f.* FROM sg_quality_slivers(${iso3}, ${t.SLIVER_MIN_AREA_M2}, ${t.SLIVER_MAX_THINNESS}, ${t.SLIVER_MAX_WIDTH_M}) f
      UNION ALL
      SELECT 'needle', f.* FROM sg_quality_needles(${iso3}, ${t.NEEDLE_MAX_ANGLE_DEG}) f
      UNION ALL
      SELECT 'outside_country', f.* FROM sg_quality_outside_country(${iso3}, ${toleranceM}) f
      UNION ALL
      SELECT 'release_outside_hazard', f.* FROM sg_quality_release_outside(${iso3}, ${t.RELEASE_OUTSIDE_MIN_M2}) f
      UNION ALL
      SELECT 'vertex_gap', f.* FROM sg_quality_vertex_gaps(${iso3}, ${t.VERTEX_GAP_M}) f
    ),
    ranked AS (
      SELECT findings.*,
             count(*) OVER (PARTITION BY findings.code) AS total,
             row_number() OVER (PARTITION BY findings.code ORDER BY findings.area_m2 DESC NULLS LAST, findings.entity, findings.id) AS rank
        FROM findings
    )
    SELECT code, entity, id, reference, detail, area_m2, bbox, total
      FROM ranked
     WHERE rank <= ${cap}
     ORDER BY code, rank`;
}
