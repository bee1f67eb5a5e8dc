import type { UserRole } from '../db/database.js';

/**
 * The authenticated user a request acts as. It lives below http and auth because both use it:
 * routes hand it to handlers, auth/actor.ts holds the scope rules about it.
 */
export interface Actor {
  id: string;
  email: string;
  role: UserRole;
  country_iso3: string | null;
  organisation_id: string | null;
}
