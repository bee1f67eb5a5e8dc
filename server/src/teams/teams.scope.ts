import { type Actor, canReadPlanning, governsCountry } from '../auth/actor.js';
import { forbidden } from '../http/http-error.js';

// Who writes a team, and whose teams a list shows. Reading a country's teams is reading its
// deployment planning (canReadPlanning): teams show where people work and what an operator fields.

/** The countries whose teams the actor reads, by canReadPlanning; null for every country. */
export function readableCountries(actor: Actor): string[] | null {
  if (actor.role === 'admin') return null;
  if (actor.role === 'national_authority') return actor.country_iso3 ? [actor.country_iso3] : [];
  if (actor.role === 'operator' || actor.role === 'donor') return actor.country_iso3 ? [actor.country_iso3] : null;
  return [];
}

/**
 * Writing a team: admins, the country's authority (any organisation's team there), and an
 * operator working there for its own organisation's teams only. A change must be allowed before and after.
 */
export function assertCanWriteTeam(actor: Actor, team: { country_iso3: string; organisation_id: string }): void {
  if (governsCountry(actor, team.country_iso3)) return;
  if (actor.role === 'operator' && canReadPlanning(actor, team.country_iso3)) {
    if (actor.organisation_id === team.organisation_id) return;
    throw forbidden(
      `an operator writes the teams of its own organisation (${actor.organisation_id}) only, not of organisation ${team.organisation_id}`,
    );
  }
  throw forbidden(`role ${actor.role} may not write teams in ${team.country_iso3}`);
}
