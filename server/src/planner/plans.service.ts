import type { Response } from 'express';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { governsCountry } from '../auth/actor.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { Db } from '../db/pool.js';
import { HttpError, forbidden, notFound } from '../http/http-error.js';
import { countryExists } from '../geodata/countries.repository.js';
import { exactGeometryScope } from '../restrictions/restrictions.service.js';
import { computePlan, type PlanInputs } from './plans.compute.js';
import { writeScheduleCsv } from './plans.csv.js';
import { markInterruptedPlans, startPlanRun } from './plans.liveness.js';
import * as repo from './plans.repository.js';
import type { PackageCollection, PlanCreate, PlanList, PlanOut, PlanResults, WorkPlanOut } from './plans.schema.js';

// Plans: who may make and read them, the checks on a new plan, and how a stored plan is shown.

const unprocessable = (message: string, path: string) =>
  new HttpError(422, 'unprocessable', message, [{ path, message }]);

/** Plans of a country are made and read by admins, its national authority and the operators working there. */
export function mayPlan(actor: Actor, iso3: string): boolean {
  return (
    governsCountry(actor, iso3) ||
    (actor.role === 'operator' && (actor.country_iso3 === null || actor.country_iso3 === iso3))
  );
}

function assertMayPlan(actor: Actor, iso3: string): void {
  if (!mayPlan(actor, iso3)) throw forbidden(`role ${actor.role} may not make or read plans for ${iso3}`);
}

/** The teams of a new plan: every id a live team of the country, an operator's all its own. */
async function checkTeams(db: Db, actor: Actor, iso3: string, ids: readonly number[]): Promise<void> {
  const teams = await repo.findTeams(db, ids);
  const found = new Set(teams.map((t) => Number(t.id)));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw unprocessable(`no such team: ${missing.join(', ')}`, 'body.team_ids');
  const foreign = teams.filter((t) => t.country_iso3 !== iso3);
  if (foreign.length > 0)
    throw unprocessable(
      foreign.map((t) => `team ${t.id} works in ${t.country_iso3}, not ${iso3}`).join('; '),
      'body.team_ids',
    );
  if (actor.role === 'operator') {
    const others = teams.filter((t) => t.organisation_id !== actor.organisation_id);
    if (others.length > 0)
      throw forbidden(
        `an operator plans with its own organisation's teams only: ${others.map((t) => `team ${t.id} is ${t.organisation_name}'s`).join('; ')}`,
      );
  }
}

const TREATIES_OF_SCOPE = { ccm: ['CCM'], apmbc: ['APMBC'], all: ['CCM', 'APMBC'] } as const;

async function checkObligation(db: Db, iso3: string, scope: PlanCreate['scope']): Promise<void> {
  const treaties: readonly string[] = TREATIES_OF_SCOPE[scope];
  const open = (await repo.openObligations(db, iso3)).filter((o) => treaties.includes(o.treaty));
  if (open.length === 0)
    throw unprocessable(
      `${iso3} has no ${treaties.join(' or ')} obligation in progress: there is no deadline to plan for in scope ${scope}`,
      'body.scope',
    );
}

/** Stores a plan and starts computing it in the background; GET shows its progress. */
export async function createPlan(
  db: Db,
  actor: Actor,
  iso3: string,
  body: PlanCreate,
): Promise<{ id: number; status: 'computing' }> {
  assertMayPlan(actor, iso3);
  if (!(await countryExists(db, iso3))) throw notFound(`country ${iso3}`);
  await checkTeams(db, actor, iso3, body.team_ids);
  await checkObligation(db, iso3, body.scope);
  const inputs: PlanInputs = { ...body, name: body.name ?? `${iso3} ${body.scope} plan from ${body.start_on}` };
  const id = await startPlanRun(
    db,
    async (trx) => {
      const created = await repo.insertPlan(trx, {
        country_iso3: iso3,
        name: inputs.name,
        inputs,
        created_by: actor.id || null,
      });
      await writeAudit(trx, {
        userId: actor.id || null,
        action: 'create',
        entity: 'plan',
        entityId: created,
        after: inputs,
      });
      return created;
    },
    (created) => computePlan(db, created, iso3, inputs),
  );
  return { id: Number(id), status: 'computing' };
}

/** A plan the actor may read (404 for any other, so plans of other countries are not revealed). */
export async function readablePlan(db: Db, actor: Actor, id: string): Promise<repo.PlanRow> {
  let plan = await repo.findPlan(db, id);
  if (plan?.status === 'computing') {
    await markInterruptedPlans(db, id);
    plan = await repo.findPlan(db, id);
  }
  if (!plan || !mayPlan(actor, plan.country_iso3)) throw notFound(`plan ${id}`);
  return plan;
}

function header(plan: repo.PlanRow) {
  const inputs = plan.inputs as PlanInputs;
  return {
    id: Number(plan.id),
    country_iso3: plan.country_iso3,
    name: plan.name,
    scope: inputs.scope,
    status: plan.status as 'computing' | 'ready' | 'failed',
    error: plan.error,
    progress: { done: plan.progress_done, total: plan.progress_total },
    completion_on: plan.completion_on,
    lower_bound_on: plan.lower_bound_on,
    gap_days: plan.gap_days,
    deadline_on: plan.deadline_on,
    created_at: new Date(plan.created_at).toISOString(),
  };
}

/**
 * A plan as JSON text (PlanOut). The schedule, tens of megabytes for a plan of decades, is
 * spliced in as it is stored rather than parsed and written out again.
 */
export async function getPlan(db: Db, actor: Actor, id: string): Promise<string> {
  const plan = await readablePlan(db, actor, id);
  const rest: Omit<PlanOut, 'schedule'> = {
    ...header(plan),
    inputs: plan.inputs as PlanInputs,
    ...((plan.results as PlanResults | null) ?? {}),
  };
  const schedule = plan.status === 'ready' ? await repo.planSchedule(db, id) : '[]';
  return `{"schedule":${schedule},${JSON.stringify(rest).slice(1)}`;
}

/** A country's plans side by side: completion, km² a year, teams by type, cost a year. */
export async function listPlans(db: Db, actor: Actor, iso3: string): Promise<z.infer<typeof PlanList>> {
  assertMayPlan(actor, iso3);
  await markInterruptedPlans(db);
  const plans = await repo.listPlans(db, iso3);
  return {
    plans: plans.map((plan) => {
      const results = plan.results as PlanResults | null;
      const perYear = new Map<number, number>();
      for (const row of results?.annual ?? []) perYear.set(row.year, (perYear.get(row.year) ?? 0) + row.area_m2);
      const byType: Record<string, number> = {};
      for (const team of results?.teams ?? []) byType[team.type] = (byType[team.type] ?? 0) + 1;
      return {
        ...header(plan),
        km2_per_year: [...perYear].sort(([a], [b]) => a - b).map(([year, m2]) => ({ year, km2: m2 / 1e6 })),
        teams_by_type: byType,
        cost_per_year: results?.cost.per_year ?? [],
      };
    }),
  };
}

function assertReady(plan: repo.PlanRow): void {
  if (plan.status !== 'ready')
    throw new HttpError(409, 'conflict', `plan ${plan.id} is ${plan.status}, not ready`, [
      { path: 'params.id', message: plan.error ?? `the plan is ${plan.status}` },
    ]);
}

export async function readyPlan(db: Db, actor: Actor, id: string): Promise<repo.PlanRow> {
  const plan = await readablePlan(db, actor, id);
  assertReady(plan);
  return plan;
}

export async function planPackages(db: Db, actor: Actor, id: string): Promise<z.infer<typeof PackageCollection>> {
  const plan = await readyPlan(db, actor, id);
  // Drawn once: later readers skip the locking transaction.
  if (!plan.packages_outlined) await repo.outlinePackages(db, id);
  const rows = await repo.planPackages(db, id, plan.country_iso3, exactGeometryScope(actor));
  return {
    type: 'FeatureCollection',
    features: rows.map((p) => ({
      type: 'Feature',
      id: p.package_id,
      geometry: p.geometry,
      properties: {
        package_id: p.package_id,
        rank: p.rank,
        score: p.score,
        hazard_ids: p.hazard_ids,
        start_on: p.start_on,
        end_on: p.end_on,
        planned_year: p.planned_year,
        province_code: p.province_code,
      },
    })),
  };
}

export async function writePlanScheduleCsv(db: Db, actor: Actor, id: string, res: Response): Promise<void> {
  const plan = await readyPlan(db, actor, id);
  res.setHeader('Content-Disposition', `attachment; filename="plan-${id}-schedule.csv"`);
  res.type('text/csv; charset=utf-8');
  await writeScheduleCsv(await repo.planEntries(db, id), (plan.results as PlanResults).teams, res);
}

/** A ready plan of the country as the annual work plan of an extension request: km² to release per year by method. */
export async function annualWorkPlan(db: Db, actor: Actor, id: string, iso3: string): Promise<WorkPlanOut> {
  const plan = await readyPlan(db, actor, id);
  if (plan.country_iso3 !== iso3) throw notFound(`plan ${id} of ${iso3}`);
  const inputs = plan.inputs as PlanInputs;
  const years = new Map<number, WorkPlanOut['years'][number]>();
  for (const row of (plan.results as PlanResults).annual) {
    const year = years.get(row.year) ?? {
      year: row.year,
      cancelled_km2: 0,
      reduced_km2: 0,
      cleared_km2: 0,
      released_km2: 0,
    };
    year[`${row.method}_km2`] += row.area_m2 / 1e6;
    year.released_km2 += row.area_m2 / 1e6;
    years.set(row.year, year);
  }
  return {
    plan_id: Number(plan.id),
    name: plan.name,
    scope: inputs.scope,
    start_on: inputs.start_on,
    completion_on: plan.completion_on,
    years: [...years.values()].sort((a, b) => a.year - b.year),
  };
}
