import { type Actor, governsCountry } from '../auth/actor.js';
import { forbidden } from '../http/http-error.js';

// Who reads and who writes a team, in one place. Teams are not public: they show where people
// work and what an operator fields.

/** Whether an operator or donor works in the country: scoped to it, or to no country at all. */
const worksIn = (actor: Actor, iso3: string) =>
  (actor.role === 'operator' || actor.role === 'donor') && (actor.country_iso3 === null || actor.country_iso3 === iso3);

/** Reading a country's teams: admins, its authority, and the operators and donors working there. */
export function canReadTeams(actor: Actor, iso3: string): boolean {
  return governsCountry(actor, iso3) || worksIn(actor, iso3);
}

/** The countries whose teams the actor reads; null for every country. */
export function readableCountries(actor: Actor): string[] | null {
  if (actor.role === 'admin') return null;
  if (actor.role === 'national_authority') return actor.country_iso3 ? [actor.country_iso3] : [];
  if (actor.role === 'operator' || actor.role === 'donor') return actor.country_iso3 ? [actor.country_iso3] : null;
  return [];
}

export function assertCanReadTeams(actor: Actor, iso3: string): void {
  if (!canReadTeams(actor, iso3)) throw forbidden(`role ${actor.role} may not read the teams of ${iso3}`);
}

/**
 * Writing a team: admins, the country's authority (any organisation's team there), and an
 * operator for its own organisation's teams only. A change must be allowed before and after.
 */
export function assertCanWriteTeam(actor: Actor, team: { country_iso3: string; organisation_id: string }): void {
  if (governsCountry(actor, team.country_iso3)) return;
  if (actor.role === 'operator' && worksIn(actor, team.country_iso3)) {
    if (actor.organisation_id === team.organisation_id) return;
    throw forbidden(
      `an operator writes the teams of its own organisation (${actor.organisation_id}) only, not of organisation ${team.organisation_id}`,
    );
  }
  throw forbidden(`role ${actor.role} may not write teams in ${team.country_iso3}`);
}
