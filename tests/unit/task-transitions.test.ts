import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../server/src/db/enums.js';
import type { Actor } from '../../server/src/auth/actor.js';
import { HttpError } from '../../server/src/http/http-error.js';
import { assertTransition } from '../../server/src/tasks/tasks.scope.js';

// The task life cycle, written out by hand: every other pair of statuses must be refused (409),
// and the operator may make every move but approving and rejecting.

const LIFE_CYCLE = [
  'proposed → approved',
  'proposed → rejected',
  'proposed → cancelled',
  'approved → ongoing',
  'approved → suspended',
  'approved → cancelled',
  'ongoing → suspended',
  'ongoing → completed',
  'ongoing → cancelled',
  'suspended → ongoing',
  'suspended → cancelled',
];
const AUTHORITY_ONLY = ['proposed → approved', 'proposed → rejected'];

const actor = (role: Actor['role'], country: string | null, organisation: string | null): Actor => ({
  id: '1',
  email: 'x@example.test',
  role,
  country_iso3: country,
  organisation_id: organisation,
});
const authority = actor('national_authority', 'LAO', null);
const operator = actor('operator', null, '7');
const otherAuthority = actor('national_authority', 'KHM', null);

function outcome(who: Actor, from: (typeof TASK_STATUSES)[number], to: (typeof TASK_STATUSES)[number]) {
  try {
    assertTransition(who, { id: '1', country_iso3: 'LAO', organisation_id: '7', status: from }, to);
    return 200;
  } catch (error) {
    return (error as HttpError).status;
  }
}

describe('task status transitions', () => {
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES.filter((s) => s !== from)) {
      const move = `${from} → ${to}`;
      const allowed = LIFE_CYCLE.includes(move);
      it(`${move}: ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(outcome(authority, from, to)).toBe(allowed ? 200 : 409);
        expect(outcome(operator, from, to)).toBe(allowed ? (AUTHORITY_ONLY.includes(move) ? 403 : 200) : 409);
        expect(outcome(otherAuthority, from, to)).toBe(allowed ? 403 : 409);
      });
    }
  }
});
