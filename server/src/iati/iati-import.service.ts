import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { writeTransaction } from '../http/dry-run.js';
import { HttpError } from '../http/http-error.js';
import { zodDetails } from '../http/route.js';
import { findGrant, grantIdsByIatiIdentifier } from '../grants/grants.repository.js';
import { GrantCreate, type GrantOut } from '../grants/grants.schema.js';
import { assertCanImportIati } from '../grants/grants.scope.js';
import { createGrantIn, grantProblems, toGrant, updateGrantIn, valuesOf } from '../grants/grants.service.js';
import { grantOf, skipReason } from './iati-import.mapping.js';
import { type ParsedActivity, type ParsedOrg, parseActivities } from './iati-import.xml.js';
import * as repo from './iati.repository.js';
import type { IatiImportActivity, IatiImportReport } from './iati.schema.js';

type Organisations = Awaited<ReturnType<typeof repo.organisationsByRefOrName>>;

/**
 * Turns each iati-activity of a published file into a grant of its reporting organisation, in
 * one transaction (every activity or none; a dry run rolls it all back). Each grant goes through
 * the grants schema and rules, and the grants service writes it (audit included). An activity
 * whose identifier a grant of the same donor already carries updates that grant instead, or is
 * left unchanged when the grant already says the same.
 */
export async function importActivities(db: Db, actor: Actor, xml: string, dryRun: boolean): Promise<IatiImportReport> {
  const activities = parseActivities(xml);
  const donors = await donorsOf(db, activities);
  for (const donorId of new Set(donors.values())) assertCanImportIati(actor, donorId);

  const outcomes = await writeTransaction(db, 'grants', dryRun, async (trx) => {
    await repo.lockOrganisations(trx, [...new Set(donors.values())]);
    const parties = await partiesOf(trx, activities);
    const results: IatiImportActivity[] = [];
    for (const activity of activities) {
      const donorId = donors.get(activity.reportingRef!)!;
      results.push({
        position: activity.position,
        iati_identifier: activity.identifier,
        ...(await importActivity(trx, actor, activity, donorId, parties)),
      });
    }
    return results;
  });
  const counts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const outcome of outcomes) counts[outcome.outcome] += 1;
  const shown = dryRun ? outcomes.map((outcome) => ({ ...outcome, grant_id: null })) : outcomes;
  return { dry_run: dryRun, counts, activities: shown };
}

/** Each reporting-org ref → its organisation's id; an activity without one, or an unknown one, is 422. */
async function donorsOf(db: Db, activities: ParsedActivity[]): Promise<Map<string, string>> {
  const missing = activities.find((activity) => !activity.reportingRef);
  if (missing) throw unprocessable(`activity ${missing.position}: reporting-org has no ref`);
  const refs = [...new Set(activities.map((activity) => activity.reportingRef!))];
  const found = await repo.organisationsByRefOrName(db, refs, []);
  const donors = new Map(found.map((org) => [org.iati_ref!, org.id]));
  const unknown = refs.filter((ref) => !donors.has(ref));
  if (unknown.length > 0) {
    throw unprocessable(
      `no organisation has the IATI identifier ${unknown.join(', ')} (reporting-org); an admin records it as the ` +
        "organisation's iati_ref",
    );
  }
  return donors;
}

const unprocessable = (message: string) => new HttpError(422, 'iati_reporting_org_unknown', message);

/** The organisations the implementing parties of the file may name, by ref or by exact name. */
async function partiesOf(db: Db, activities: ParsedActivity[]): Promise<Organisations> {
  const orgs = activities.flatMap((activity) => activity.implementing.slice(0, 1));
  const refs = [...new Set(orgs.flatMap((org) => (org.ref ? [org.ref] : [])))];
  const names = [...new Set(orgs.flatMap((org) => (org.name ? [org.name] : [])))];
  return repo.organisationsByRefOrName(db, refs, names);
}

/** The implementing organisation: matched by IATI identifier, else by exact name; never created. */
function recipientOf(org: ParsedOrg, parties: Organisations): string | null {
  const byRef = org.ref ? parties.find((party) => party.iati_ref === org.ref) : undefined;
  const byName = org.name ? parties.find((party) => party.name === org.name) : undefined;
  return (byRef ?? byName)?.id ?? null;
}

type Outcome = Pick<IatiImportActivity, 'outcome' | 'grant_id' | 'reason'>;

const skipped = (reason: string): Outcome => ({ outcome: 'skipped', grant_id: null, reason });

async function importActivity(
  trx: Db,
  actor: Actor,
  activity: ParsedActivity,
  donorId: string,
  parties: Organisations,
): Promise<Outcome> {
  const reason = skipReason(activity);
  if (reason) return skipped(reason);
  // The first implementing organisation receives the grant (the export writes the recipient first).
  const implementer = activity.implementing[0]!;
  const recipientId = recipientOf(implementer, parties);
  if (!recipientId) {
    return skipped(
      `implementing organisation ${implementer.name ?? '(no name)'}${implementer.ref ? ` (ref ${implementer.ref})` : ''} ` +
        'is not recorded: no organisation has that iati_ref or exact name',
    );
  }
  const mapped = grantOf(activity, Number(donorId), Number(recipientId));
  if ('reasons' in mapped) return skipped(mapped.reasons.join('; '));
  const parsed = GrantCreate.safeParse(mapped.grant);
  if (!parsed.success) return skipped(describe(zodDetails(parsed.error, 'grant')));
  const grant = parsed.data;
  const problems = await grantProblems(trx, valuesOf(grant), grant.transactions);
  if (problems.length > 0) return skipped(describe(problems));

  const existing = await grantIdsByIatiIdentifier(trx, donorId, grant.iati_identifier!);
  if (existing.length > 1) {
    return skipped(`grants ${existing.join(', ')} of this donor all carry this identifier; resolve them by hand`);
  }
  const [id] = existing;
  if (id === undefined) {
    const created = await createGrantIn(trx, actor, grant);
    return { outcome: 'created', grant_id: created.id, reason: null };
  }
  const before = toGrant((await findGrant(trx, id, 'everyone'))!);
  if (sameGrant(before, grant)) return { outcome: 'unchanged', grant_id: before.id, reason: null };
  const updated = await updateGrantIn(trx, actor, id, before.version, grant);
  return { outcome: 'updated', grant_id: updated.id, reason: null };
}

const describe = (details: Array<{ path?: string; message: string }>) =>
  details
    .map((detail) => (detail.path ? `${detail.path.replace(/^body\./, 'grant.')}: ` : '') + detail.message)
    .join('; ');

// The fields of a grant an activity sets: every field of a created grant but its transactions.
const FIELDS = GrantCreate.keyof().options.filter(
  (field): field is Exclude<typeof field, 'transactions'> => field !== 'transactions',
);

/** Whether the stored grant already says what the activity says, transactions included (in any order). */
function sameGrant(before: GrantOut, grant: GrantCreate): boolean {
  const keys = (transactions: Array<{ type: string; on: string; amount: number }>) =>
    transactions.map((t) => `${t.on} ${t.type} ${t.amount.toFixed(2)}`).sort();
  return (
    FIELDS.every((field) => String(before[field] ?? '') === String(grant[field] ?? '')) &&
    JSON.stringify(keys(before.transactions)) === JSON.stringify(keys(grant.transactions))
  );
}
