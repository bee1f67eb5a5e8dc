import type { Actor } from './actor.js';

/**
 * A reader's coalition scope as the SQL functions take it (sg_grant_visible, sg_task_visible): the
 * organisation it acts for, and the countries it governs ('*' for an admin).
 */
export interface CoalitionScope {
  org: string | null;
  governs: string[];
}

export function coalitionScope(actor: Actor | null): CoalitionScope {
  if (!actor) return { org: null, governs: [] };
  const governs =
    actor.role === 'admin'
      ? ['*']
      : actor.role === 'national_authority' && actor.country_iso3
        ? [actor.country_iso3]
        : [];
  return { org: actor.organisation_id, governs };
}

/** Everything, as writes and the audit log see it. */
export const EVERYTHING: CoalitionScope = Object.freeze({ org: null, governs: ['*'] });
