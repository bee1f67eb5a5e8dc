import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import {
  MadeTasks,
  MakeTasksBody,
  PackageCollection,
  PlanCreate,
  PlanCreated,
  PlanList,
  PlanOut,
  WhatItTakesBody,
  WhatItTakesOut,
} from './plans.schema.js';
import { createPlan, getPlan, listPlans, planPackages, writePlanScheduleCsv } from './plans.service.js';
import { makeTasks } from './plans.tasks.js';
import { planWhatItTakes } from './plans.what-it-takes.js';

const notFound = { description: 'no such plan, or not one the reader may see', schema: ErrorResponse };
const notReady = { description: 'the plan is still computing, or failed', schema: ErrorResponse };
const WHO = "Admins, the country's national authority and the operators working in the country; not public. ";

export function planRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/countries/:iso3/plans',
    tag: 'planner',
    summary: "Make a deployment plan of the country's teams over its hazards in scope",
    description:
      WHO +
      "An operator plans with its own organisation's teams only (403 naming the others). The plan is computed in the " +
      'background: GET /plans/{id} shows status computing with its progress, then ready (or failed with the error). ' +
      "Each hazard's remaining area (overlapping hazards counted once) is split by the country's release shares of its " +
      'classification into the area to cancel, reduce and clear; hazards within travel_radius_km of each other form ' +
      'work packages of at most 50, worked in the order of the priority score. 422: an unknown team, a team of another ' +
      'country (each named), or no obligation in progress for the scope (ccm: CCM, apmbc: APMBC, all: either).',
    auth: 'actor',
    params: Iso3Param,
    body: PlanCreate,
    responses: {
      201: { description: 'stored; computing', schema: PlanCreated },
      ...standardErrors,
      404: { description: 'unknown country', schema: ErrorResponse },
      422: { description: 'unknown or foreign teams, or no obligation in scope', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => {
      const created = await createPlan(db, actor!, params.iso3, body);
      return { status: 201, body: created, headers: { Location: `${basePath}/plans/${created.id}` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/plans',
    tag: 'planner',
    summary: "The country's plans side by side: completion, km² released per year, teams by type, cost per year",
    description: WHO + 'Newest first, at most 200.',
    auth: 'actor',
    params: Iso3Param,
    responses: { 200: { description: 'the plans', schema: PlanList }, ...standardErrors },
    handler: async ({ actor, params }) => ({ body: await listPlans(db, actor!, params.iso3) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/plans/:id',
    tag: 'planner',
    summary: 'A plan: status and progress, its inputs, and once ready the schedule and its figures',
    description:
      WHO +
      "schedule: one entry per team, month and method; an entry's area_m2 is the area it releases, so the entries " +
      'sum to the remaining area in scope (remaining_m2) less any unscheduled work. lower_bound_on: no schedule of the ' +
      "teams can finish earlier (each method's work over its teams' capacity); gap_days: the schedule's distance to it.",
    auth: 'actor',
    params: IdParam,
    responses: { 200: { description: 'the plan', schema: PlanOut }, ...standardErrors, 404: notFound },
    handler: async ({ actor, params }) => ({ json: await getPlan(db, actor!, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/plans/:id/schedule.csv',
    tag: 'planner',
    summary:
      "The plan's schedule as CSV, one row per team, month, method and hazard: team_id, team, organisation, " +
      'team_type, method, start_on, end_on, working_days, package_id, hazard_id, area_m2',
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'RFC 4180 CSV', schema: z.string(), contentType: 'text/csv' },
      ...standardErrors,
      404: notFound,
      409: notReady,
    },
    handler: async ({ actor, params, res }) => {
      await writePlanScheduleCsv(db, actor!, String(params.id), res);
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/plans/:id/packages',
    tag: 'planner',
    summary: "The plan's work packages as GeoJSON: the simplified union of each package's remaining land",
    description: WHO + 'planned_year is the year its work starts (null: not scheduled); rank 1 is worked first.',
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'FeatureCollection', schema: PackageCollection, contentType: 'application/geo+json' },
      ...standardErrors,
      404: notFound,
      409: notReady,
    },
    handler: async ({ actor, params, res }) => {
      const body = await planPackages(db, actor!, String(params.id));
      res.type('application/geo+json').send(JSON.stringify(body));
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/plans/:id/what-it-takes',
    tag: 'planner',
    summary:
      'The fewest teams to add, by type, for the plan to finish by a date (the deadline by default), and their cost',
    description:
      WHO +
      "A HiGHS capacity model gives the smallest addition, checked (and raised) against the schedule. A new team works like the plan's " +
      "first team of its type (else five days a week all year) at its productivity; costs are the country's average stated " +
      'cost per team-month of the type (null where none is stated). 422 without a target date.',
    auth: 'actor',
    params: IdParam,
    body: WhatItTakesBody,
    responses: {
      200: { description: 'the addition', schema: WhatItTakesOut },
      ...standardErrors,
      404: notFound,
      409: notReady,
      422: { description: 'no deadline and no target_on, or a target before the start', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => ({
      body: await planWhatItTakes(db, actor!, String(params.id), body.target_on),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/plans/:id/tasks',
    tag: 'planner',
    summary: "Propose tasks for the plan's first months: one per organisation, work package and method",
    description:
      'Through the tasks service and its rules: the proposer must be allowed to propose for every organisation involved ' +
      "(checked before any task is made), each task covers its hazards' unreleased land, overlaps with other tasks are " +
      'acknowledged and returned. Methods: cancelled → non_technical_survey, reduced → technical_survey, cleared → ' +
      "clearance; team names the plan's team(s), and the task's team is recorded when it is one.",
    auth: 'actor',
    params: IdParam,
    body: MakeTasksBody,
    responses: {
      201: { description: 'the proposed tasks', schema: MadeTasks },
      ...standardErrors,
      404: notFound,
      409: notReady,
      422: { description: 'a hazard has no land left to release', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => ({
      status: 201,
      body: await makeTasks(db, config, actor!, String(params.id), body.months),
    }),
  });

  return router;
}
