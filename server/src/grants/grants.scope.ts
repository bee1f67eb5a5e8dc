import type { ExpressionBuilder } from 'kysely';
import { type Actor, governsCountry } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import { forbidden } from '../http/http-error.js';

// Who sees and who writes a grant, in one place.

type GrantsEb = ExpressionBuilder<Database & { g: Database['grants'] }, 'g'>;

/**
 * The grants (alias g) whose detail the actor may see: public ones for everybody; coalition-only
 * ones for admins, the national authority of the grant's country, and the users (donor, operator)
 * of its donor or recipient organisation. Everyone else sees a coalition-only grant only inside
 * aggregate figures.
 */
export function visibleGrants(actor: Actor | null) {
  return (eb: GrantsEb) => {
    if (actor?.role === 'admin') return eb.lit(true);
    const seen = [eb('g.visibility', '=', 'public')];
    if (actor?.role === 'national_authority' && actor.country_iso3)
      seen.push(eb('g.country_iso3', '=', actor.country_iso3));
    if (actor?.organisation_id) {
      seen.push(eb('g.donor_id', '=', actor.organisation_id), eb('g.recipient_id', '=', actor.organisation_id));
    }
    return eb.or(seen);
  };
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
