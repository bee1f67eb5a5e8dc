import type { OrganisationKind } from '../db/database.js';

/**
 * The kinds of organisation that may be a grant's donor: governments, multilateral donors, and UN
 * agencies, which pass on pooled and trust funds to implementing organisations. A national
 * authority, an operator, an NGO or another organisation can only receive.
 */
export const DONOR_KINDS: readonly OrganisationKind[] = ['donor_government', 'donor_multilateral', 'un_agency'];
