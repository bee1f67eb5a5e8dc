import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { ReleaseMethod, TaskMethod } from '../db/schema.generated.js';
import { createTask } from '../tasks/tasks.service.js';
import { assertCanPropose, assertProposerRole } from '../tasks/tasks.scope.js';
import type { PlanInputs } from './plans.compute.js';
import * as repo from './plans.repository.js';
import type { MadeTasks, PlanResults } from './plans.schema.js';
import { readyPlan } from './plans.service.js';

// "Make tasks": a plan's first months become proposed tasks through the tasks service, with its
// rules (scope, unreleased land, overlaps), one per organisation, work package and method.

export const TASK_METHOD_OF: Record<ReleaseMethod, TaskMethod> = {
  cancelled: 'non_technical_survey',
  reduced: 'technical_survey',
  cleared: 'clearance',
};

const TEAM_LABEL_MAX = 200;

/** The same day `months` later (the month's last day where it has fewer days). */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const last = new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
  const d = new Date(Date.UTC(Math.floor(index / 12), index % 12, Math.min(day, last)));
  return d.toISOString().slice(0, 10);
}

interface Proposal {
  organisationId: string;
  method: ReleaseMethod;
  hazardIds: Set<number>;
  teamIds: Set<number>;
  start: string;
  end: string;
}

/**
 * Proposes the tasks; every organisation is checked first, so an operator's request for another
 * organisation's work changes nothing. Overlaps are acknowledged (a plan is the proposer's
 * choice) and returned with each task.
 */
export async function makeTasks(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  months: number,
): Promise<z.infer<typeof MadeTasks>> {
  assertProposerRole(actor);
  const plan = await readyPlan(db, actor, id);
  const inputs = plan.inputs as PlanInputs;
  const teams = new Map((plan.results as PlanResults).teams.map((t) => [t.id, t]));
  const proposals = new Map<string, Proposal>();
  for (const entry of await repo.planEntries(db, id, addMonths(inputs.start_on, months))) {
    const team = teams.get(entry.team_id)!;
    // A team the scenario adds is not fielded: no organisation can be proposed its work yet.
    if (team.organisation_id === null) continue;
    entry.package_ids.forEach((packageId, i) => {
      const key = `${team.organisation_id}:${packageId}:${entry.method}`;
      const proposal = proposals.get(key) ?? {
        organisationId: String(team.organisation_id),
        method: entry.method,
        hazardIds: new Set<number>(),
        teamIds: new Set<number>(),
        start: entry.start_on,
        end: entry.end_on,
      };
      proposal.hazardIds.add(entry.hazard_ids[i]!);
      proposal.teamIds.add(team.id);
      if (entry.start_on < proposal.start) proposal.start = entry.start_on;
      if (entry.end_on > proposal.end) proposal.end = entry.end_on;
      proposals.set(key, proposal);
    });
  }
  for (const organisationId of new Set([...proposals.values()].map((p) => p.organisationId)))
    assertCanPropose(actor, plan.country_iso3, organisationId);

  const made: z.infer<typeof MadeTasks> = { tasks: [], overlaps: [] };
  const ordered = [...proposals.values()].sort((a, b) => a.start.localeCompare(b.start));
  for (const proposal of ordered) {
    const teamIds = [...proposal.teamIds];
    const label = teamIds.map((teamId) => teams.get(teamId)!.name).join('; ');
    const task = await createTask(
      db,
      config,
      actor,
      {
        organisation_id: Number(proposal.organisationId),
        hazard_ids: [...proposal.hazardIds],
        method: TASK_METHOD_OF[proposal.method],
        team: label.length > TEAM_LABEL_MAX ? `${label.slice(0, TEAM_LABEL_MAX - 1)}…` : label,
        planned_start: proposal.start,
        planned_end: proposal.end,
        team_id: teamIds.length === 1 ? teamIds[0]! : null,
        funding: [],
      },
      { acknowledge: true },
    );
    made.tasks.push(task);
    const conflicts = task.properties.acknowledged_overlaps;
    if (conflicts.length > 0) made.overlaps.push({ task_id: task.id, conflicts });
  }
  return made;
}
