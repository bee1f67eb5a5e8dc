import { sql } from 'kysely';
import { type Actor, governsCountry } from '../auth/actor.js';
import { forbidden } from '../http/http-error.js';
import { coalitionScope } from '../shared/coalition-scope.js';

// Who sees and who writes a grant, in one place.

/**
 * The grants (alias g) whose detail the actor may see, by the one visibility rule
 * (sg_grant_visible): public ones for everybody; coalition-only ones for admins, the national
 * authority of the grant's country, and the users (donor, operator) of its donor or recipient
 * organisation. Everyone else sees a coalition-only grant only inside aggregate figures.
 */
export function visibleGrants(actor: Actor | null) {
  const { org, governs } = coalitionScope(actor);
  return () =>
    sql<boolean>`sg_grant_visible(g.visibility, g.country_iso3, g.donor_id, g.recipient_id, ${org}::bigint, ${governs}::text[])`;
}

/**
 * Writing a grant: admins, the national authority of its country, and a donor user for the grants
 * its own organisation gives. A change must be allowed both before and after (a donor cannot hand
 * its grant to another donor, an authority cannot move a grant out of its country).
 */
export function assertCanWriteGrant(actor: Actor, grant: { country_iso3: string; donor_id: string }): void {
  if (governsCountry(actor, grant.country_iso3)) return;
  if (actor.role === 'donor' && actor.organisation_id === grant.donor_id) return;
  const scope = actor.country_iso3
    ? ` (scope ${actor.country_iso3})`
    : actor.organisation_id
      ? ` (organisation ${actor.organisation_id})`
      : '';
  throw forbidden(
    `role ${actor.role}${scope} may not write grants of donor ${grant.donor_id} in ${grant.country_iso3}`,
  );
}

/**
 * Importing a published IATI file: admins, and a donor's own users for the activities their
 * organisation reports. A national authority writes grants one by one, never a donor's whole file.
 */
export function assertCanImportIati(actor: Actor, donorId: string): void {
  if (actor.role === 'admin') return;
  if (actor.role === 'donor' && actor.organisation_id === donorId) return;
  throw forbidden(`role ${actor.role} may not import the IATI activities of organisation ${donorId}`);
}
