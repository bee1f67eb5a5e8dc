import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Db } from '../db/pool.js';
import { TEAM_TYPES } from '../db/enums.js';
import { HttpError } from '../http/http-error.js';
import { addedTeamTemplate, assemble, type PlanInputs } from './plans.compute.js';
import * as repo from './plans.repository.js';
import type { WhatItTakesOut } from './plans.schema.js';
import { readyPlan } from './plans.service.js';
import { whatItTakes, type TeamCandidate } from './team-mix.js';

// "How many more teams of which kind meet the deadline?" for a saved plan: its inputs assembled
// afresh, and a candidate team of every type the team-mix search may add.

export async function planWhatItTakes(
  db: Db,
  actor: Actor,
  id: string,
  targetOn: string | undefined,
): Promise<z.infer<typeof WhatItTakesOut>> {
  const plan = await readyPlan(db, actor, id);
  const inputs = plan.inputs as PlanInputs;
  const target = targetOn ?? plan.deadline_on;
  const refuse = (message: string) =>
    new HttpError(422, 'unprocessable', message, [{ path: 'body.target_on', message }]);
  if (!target) throw refuse(`plan ${id} has no deadline in force: give target_on`);
  if (target <= inputs.start_on) throw refuse(`${target} is not after the plan's start ${inputs.start_on}`);
  const assembled = await assemble(db, plan.country_iso3, inputs);
  const costs = await repo.typeMonthlyCosts(db, plan.country_iso3);
  const candidates: TeamCandidate[] = TEAM_TYPES.map((type) => ({
    type,
    template: addedTeamTemplate(assembled.input.teams, assembled.productivity, type),
    monthlyCostUsd: costs.get(type) ?? null,
  }));
  const result = await whatItTakes({ schedule: assembled.input, candidates, targetOn: target });
  return {
    target_on: result.targetOn,
    plan_completion_on: plan.completion_on,
    completion_on: result.completionOn,
    meets_target: result.meetsTarget,
    proven_minimal: result.provenMinimal,
    solver: result.method,
    added: result.added.map((a) => ({
      type: a.type,
      count: a.count,
      monthly_cost_usd: a.monthlyCostUsd,
      team_months: a.teamMonths,
      area_m2: a.areaM2,
      cost_usd: a.costUsd,
    })),
    cost_usd: result.costUsd,
  };
}
