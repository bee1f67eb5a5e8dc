import { forbidden } from '../http/http-error.js';
import type { Actor } from '../shared/actor.js';

export type { Actor };

// Scope rules, in one place. Reading public aggregates needs no actor at all.

/**
 * Whether the actor speaks for the country: an admin, or that country's national authority. Its
 * hazards, the review of its releases, its treaty record and its restriction are theirs.
 */
export function governsCountry(actor: Actor | null, iso3: string): boolean {
  return (
    actor !== null && (actor.role === 'admin' || (actor.role === 'national_authority' && actor.country_iso3 === iso3))
  );
}

function assertGoverns(actor: Actor, iso3: string, what: string): void {
  if (!governsCountry(actor, iso3)) throw forbidden(`role ${actor.role}${scopeText(actor)} may not ${what}`);
}

/** Hazards (and their deletion) belong to the national authority of their country. */
export function assertCanWriteHazards(actor: Actor, iso3: string): void {
  assertGoverns(actor, iso3, `change hazards in ${iso3}`);
}

/** Releases may be recorded by the authority of the country and by operators working there. */
export function assertCanRecordRelease(actor: Actor, iso3: string): void {
  if (governsCountry(actor, iso3)) return;
  if (actor.role === 'operator' && (actor.country_iso3 === null || actor.country_iso3 === iso3)) return;
  throw forbidden(`role ${actor.role}${scopeText(actor)} may not record releases in ${iso3}`);
}

/** Approving or rejecting submitted releases is the national authority's decision. */
export function assertCanReview(actor: Actor, iso3: string): void {
  assertGoverns(actor, iso3, `review releases in ${iso3}`);
}

/** Treaty obligations (extensions, completion, confirmation) are the national authority's record. */
export function assertCanWriteObligations(actor: Actor, iso3: string): void {
  assertGoverns(actor, iso3, `change treaty obligations of ${iso3}`);
}

/** Restricting a country's exact polygons (sensitive locations) is its national authority's decision. */
export function assertCanRestrictCountry(actor: Actor, iso3: string): void {
  assertGoverns(actor, iso3, `change the restriction of ${iso3}`);
}

/**
 * Deployment planning (teams, productivity, plans) is read by those who plan in the country: admins,
 * its authority, and the operators and donors working there (users scoped to it or to no country).
 * Not public: it names organisations' assets and their measured output.
 */
export function canReadPlanning(actor: Actor, iso3: string): boolean {
  if (governsCountry(actor, iso3)) return true;
  const worksThere = actor.country_iso3 === null || actor.country_iso3 === iso3;
  return (actor.role === 'operator' || actor.role === 'donor') && worksThere;
}

export function assertCanReadPlanning(actor: Actor, iso3: string): void {
  if (canReadPlanning(actor, iso3)) return;
  throw forbidden(`role ${actor.role}${scopeText(actor)} may not read the deployment planning of ${iso3}`);
}

/** Shared reference records (organisations, exchange rates) are kept by admins. */
export function assertIsAdmin(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw forbidden(`role ${actor.role} may not ${what}; only admins may`);
}

/** Whether a release recorded by this actor counts at once or waits for the authority. */
export function recordsApprovedReleases(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'national_authority';
}

function scopeText(actor: Actor): string {
  return actor.country_iso3 ? ` (scope ${actor.country_iso3})` : '';
}
