// What an import of releases does differently from one of hazards: who may run and see it, and
// what its commit writes. The dry run, the report and the commit's claim, progress and failure
// handling are the hazard imports' own (imports.service.ts).
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { type Actor, assertCanRecordRelease, governsCountry, recordsApprovedReleases } from '../auth/actor.js';
import { refreshHazards } from '../area/area.repository.js';
import { writeAudit } from '../audit/audit.repository.js';
import { badRequest, forbidden, notFound } from '../http/http-error.js';
import { findReleases } from '../releases/releases.repository.js';
import { creditedOrganisation, toFeature } from '../releases/releases.service.js';
import { type ReadOptions } from './import-reader.js';
import * as repo from './imports.repository.js';
import { readReleaseCandidates } from './release-reader.js';

/**
 * The organisation an import of releases credits: an operator's own; for the authority or an
 * admin the one named (which must exist), or none.
 */
export async function importOrganisation(db: Db, actor: Actor, iso3: string, requested: number | undefined) {
  assertCanRecordRelease(actor, iso3);
  const organisation = creditedOrganisation(actor, requested);
  if (organisation !== null && !(await repo.organisationExists(db, organisation))) {
    throw badRequest(`organisation ${organisation} does not exist`, [
      { path: 'query.organisation_id', message: 'no such organisation' },
    ]);
  }
  return organisation;
}

/** An import of releases is seen by the country's authority, admins, and the operator organisation it credits. */
export function assertCanSeeReleaseImport(actor: Actor, row: repo.ImportRow): void {
  if (governsCountry(actor, row.country_iso3)) return;
  if (actor.role === 'operator' && row.organisation_id !== null && actor.organisation_id === row.organisation_id) {
    assertCanRecordRelease(actor, row.country_iso3);
    return;
  }
  // Another organisation's import is not even confirmed to exist.
  if (actor.role === 'operator') throw notFound(`import ${row.id}`);
  throw forbidden(`role ${actor.role} may not import releases in ${row.country_iso3}`);
}

/** The dry run's batches: each read, validated and staged by sg_import_stage_releases. */
export async function* releaseStages(db: Db, config: Config, id: string, country: string, options: ReadOptions) {
  for await (const batch of readReleaseCandidates(options)) {
    yield {
      size: batch.index.length,
      stage: () => repo.stageReleaseBatch(db, id, country, config.MAX_REPAIR_AREA_CHANGE, batch),
    };
  }
}

/**
 * Writes the accepted releases inside the commit's transaction: approved when the authority or an
 * admin commits, otherwise submitted for the authority's review, as single releases are. Each gets
 * the audit row a single creation gets; approved ones refresh their hazards' figures once.
 */
export async function writeReleases(
  trx: Db,
  actor: Actor,
  row: repo.ImportRow,
  ranges: { from: number; to: number; n: number }[],
  onRange: (n: number) => Promise<void>,
) {
  const status = recordsApprovedReleases(actor) ? 'approved' : 'submitted';
  const written: { release_id: string; hazard_id: string }[] = [];
  for (const range of ranges) {
    written.push(
      ...(await repo.commitReleaseBatch(trx, row.id, range, {
        userId: actor.id || null,
        status,
        organisationId: row.organisation_id,
      })),
    );
    await onRange(range.n);
  }
  for (const release of await findReleases(
    trx,
    written.map((w) => w.release_id),
  )) {
    const after = toFeature(release);
    await writeAudit(trx, {
      userId: actor.id || null,
      action: 'create',
      entity: 'release',
      entityId: release.id,
      after,
    });
  }
  if (status === 'approved' && written.length) {
    await refreshHazards(trx, [...new Set(written.map((w) => w.hazard_id))], false);
  }
  const total = ranges.reduce((sum, range) => sum + range.n, 0);
  return { inserted: written.length, updated: 0, unchanged: total - written.length };
}
