import type { Writable } from 'node:stream';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { HttpError, notFound } from '../http/http-error.js';
import { writeOrStop } from '../http/stream-write.js';
import { listGrants } from '../grants/grants.repository.js';
import { toGrant } from '../grants/grants.service.js';
import { findOrganisation, findOrganisations } from '../organisations/organisations.repository.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { todayUtc } from '../shared/dates.js';
import * as repo from './iati.repository.js';
import { type ActivityFacts, type Party, activityXml } from './iati.xml.js';

/** Grants per round trip: memory holds one page of activities, whatever the number of grants. */
const PAGE = 200;

type Page = Awaited<ReturnType<typeof listGrants>>;

/**
 * Writes the reporting organisation's grants that the reader may see (coalition-only ones only
 * for those who see their detail) as an IATI 2.03 activity file, page by page, waiting for the
 * client to take each page. Checks come before the first byte, so they can still answer 4xx.
 */
export async function writeActivities(
  db: Db,
  actor: Actor | null,
  orgId: string,
  start: () => Writable,
): Promise<void> {
  const org = await findOrganisation(db, orgId);
  if (!org) throw notFound(`organisation ${orgId}`);
  if (!org.iati_ref) {
    throw new HttpError(
      422,
      'iati_ref_missing',
      `organisation ${orgId} has no IATI organisation identifier (iati_ref)`,
      [{ path: 'query.reporting_org', message: 'an admin records the identifier with PATCH /organisations/{id}' }],
    );
  }
  const reporting = { ...org, iati_ref: org.iati_ref };
  const pageAfter = (cursor?: number) => listGrants(db, actor, { donor_id: Number(orgId), limit: PAGE, cursor });
  let page = await pageAfter();
  if (page.length === 0) throw notFound(`grants of organisation ${orgId} that you may see`);

  const out = start();
  await writeOrStop(
    out,
    `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" generated-datetime="${new Date().toISOString()}">\n`,
  );
  const exact = exactGeometryScope(actor);
  const today = todayUtc();
  while (page.length > 0) {
    for (const facts of await pageFacts(db, page, reporting, exact, today)) {
      if (!(await writeOrStop(out, activityXml(facts)))) return;
    }
    page = page.length < PAGE ? [] : await pageAfter(Number(page[page.length - 1]!.id));
  }
  out.end('</iati-activities>\n');
}

/** What a page of grants needs besides their own rows, in four queries for the whole page. */
async function pageFacts(
  db: Db,
  page: Page,
  reporting: ActivityFacts['reporting'],
  exact: ReturnType<typeof exactGeometryScope>,
  today: string,
): Promise<ActivityFacts[]> {
  const ids = page.map((row) => row.id);
  const [points, released, authorities] = await Promise.all([
    repo.taskPoints(db, ids, exact),
    repo.releasedByYear(db, ids),
    repo.nationalAuthorities(db, [...new Set(page.map((row) => row.country_iso3))]),
  ]);
  const parties = await findOrganisations(db, [
    ...new Set([
      ...page.map((row) => row.recipient_id),
      ...points.map((point) => point.organisation_id),
      ...authorities.values(),
    ]),
  ]);
  const party = (id: string | undefined): Party | null => {
    const row = id === undefined ? undefined : parties.get(id);
    return row ? { id: row.id, name: row.name, kind: row.kind, iati_ref: row.iati_ref } : null;
  };
  return page.map((row) => {
    const grantPoints = points.filter((point) => point.grant_id === row.id);
    const implementers = [...new Set(grantPoints.map((point) => point.organisation_id))]
      .filter((id) => id !== row.recipient_id)
      .map((id) => party(id)!);
    return {
      grant: toGrant(row),
      reporting,
      recipient: party(row.recipient_id)!,
      authority: party(authorities.get(row.country_iso3)),
      implementers,
      points: grantPoints,
      released: released.filter((year) => year.grant_id === row.id),
      today,
    };
  });
}
