import { type Actor, governsCountry } from '../auth/actor.js';
import type { TaskStatus } from '../db/schema.generated.js';
import { HttpError, forbidden } from '../http/http-error.js';

/**
 * Who moves a task from one status to the next: the country's authority (or an admin) alone, or
 * also the task's own operator. A transition missing here is not allowed at all.
 */
type Who = 'authority' | 'authority_or_operator';
export const TRANSITIONS: Record<TaskStatus, Partial<Record<TaskStatus, Who>>> = {
  proposed: { approved: 'authority', rejected: 'authority', cancelled: 'authority_or_operator' },
  approved: {
    ongoing: 'authority_or_operator',
    suspended: 'authority_or_operator',
    cancelled: 'authority_or_operator',
  },
  ongoing: {
    suspended: 'authority_or_operator',
    completed: 'authority_or_operator',
    cancelled: 'authority_or_operator',
  },
  suspended: { ongoing: 'authority_or_operator', cancelled: 'authority_or_operator' },
  rejected: {},
  completed: {},
  cancelled: {},
};

interface TaskHeader {
  id: string;
  country_iso3: string;
  organisation_id: string;
  status: TaskStatus;
}

/** Whether the actor is the task's own operator (an operator of its organisation, scoped to its country if at all). */
function operatesTask(actor: Actor, country: string, organisationId: string): boolean {
  return (
    actor.role === 'operator' &&
    actor.organisation_id === organisationId &&
    (actor.country_iso3 === null || actor.country_iso3 === country)
  );
}

/** Only admins, national authorities and operators propose tasks at all (checked before anything is read). */
export function assertProposerRole(actor: Actor): void {
  if (actor.role !== 'admin' && actor.role !== 'national_authority' && actor.role !== 'operator') {
    throw forbidden(`role ${actor.role} may not propose tasks`);
  }
}

/** Proposing: the country's authority or an admin for any organisation, an operator for its own. */
export function assertCanPropose(actor: Actor, country: string, organisationId: string): void {
  if (governsCountry(actor, country) || operatesTask(actor, country, organisationId)) return;
  if (actor.role === 'operator' && actor.organisation_id !== organisationId) {
    throw forbidden(`an operator proposes tasks for its own organisation (${actor.organisation_id}) only`);
  }
  throw forbidden(`role ${actor.role} may not propose tasks in ${country}`);
}

/** Editing a task: its authority, or its own operator (who changes the plan only while it is proposed). */
export function assertCanEdit(actor: Actor, task: TaskHeader, changesPlan: boolean): void {
  if (governsCountry(actor, task.country_iso3)) return;
  if (!operatesTask(actor, task.country_iso3, task.organisation_id)) {
    throw forbidden(`role ${actor.role} may not change task ${task.id}`);
  }
  if (changesPlan && task.status !== 'proposed') {
    throw forbidden(
      `task ${task.id} is ${task.status}: its operator may change its team, actual dates and status, not its plan`,
    );
  }
}

/** A status change by this actor, checked against TRANSITIONS: 409 when never allowed, 403 when not this actor's. */
export function assertTransition(actor: Actor, task: TaskHeader, to: TaskStatus): void {
  const allowed = TRANSITIONS[task.status];
  const who = allowed[to];
  if (!who) {
    const next = Object.keys(allowed);
    throw new HttpError(
      409,
      'conflict',
      `task ${task.id} is ${task.status} and cannot become ${to} (allowed: ${next.length ? next.join(', ') : 'none'})`,
      [{ path: 'body.status', message: `${task.status} → ${to} is not a task transition` }],
    );
  }
  if (governsCountry(actor, task.country_iso3)) return;
  if (who === 'authority_or_operator' && operatesTask(actor, task.country_iso3, task.organisation_id)) return;
  throw forbidden(
    who === 'authority'
      ? `only the national authority of ${task.country_iso3} (or an admin) may make task ${task.id} ${to}`
      : `role ${actor.role} may not change the status of task ${task.id}`,
  );
}
