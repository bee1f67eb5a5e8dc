import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, Iso3Param, standardErrors } from '../http/common.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { defineRoute } from '../http/route.js';
import { IfMatchHeader } from '../hazards/hazards.schema.js';
import {
  AcknowledgeQuery,
  OVERLAP_RULE,
  ProposeQuery,
  OverlapReport,
  RejectTaskBody,
  TaskCollection,
  TaskConflictError,
  TaskCreate,
  TaskListQuery,
  TaskOut,
  TaskPatch,
} from './tasks.schema.js';
import { TRANSITIONS } from './tasks.scope.js';
import * as service from './tasks.service.js';
import { countryOverlaps } from './overlaps.service.js';

const notFoundError = { description: 'no such task (or not visible to you)', schema: ErrorResponse };
const transitions = Object.entries(TRANSITIONS)
  .map(([from, to]) => `${from} → ${Object.keys(to).join('|') || '(final)'}`)
  .join('; ');
const writeErrors = {
  ...standardErrors,
  404: notFoundError,
  413: { description: 'work polygon has more vertices than allowed', schema: ErrorResponse },
  422: {
    description:
      'a hazard missing or of another country, an organisation or grant missing, a grant of another country or ' +
      'recipient, funding shares not summing to 1 (named), or a work polygon outside the hazards',
    schema: ErrorResponse,
  },
};
const overlapConflict = {
  description: `conflicts with other tasks or released land, each in error.details (nothing stored). ${OVERLAP_RULE}`,
  schema: TaskConflictError,
};
const withEtag = (task: { properties: { version: number } }) => ({ ETag: `"${task.properties.version}"` });

export function taskRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/tasks',
    tag: 'tasks',
    summary: 'List tasks as a GeoJSON FeatureCollection (keyset pagination by id)',
    description:
      'Approved tasks (and those that went on from there) are public; proposed and rejected ones are seen by admins, the ' +
      "country's national authority and the task's organisation. Funding shows the grants the reader may see in detail.",
    auth: 'public',
    query: TaskListQuery,
    responses: { 200: { description: 'a page of tasks', schema: TaskCollection }, 400: standardErrors[400] },
    handler: async ({ actor, query }) => ({ body: await service.listTasks(db, actor, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/tasks',
    tag: 'tasks',
    summary: "Propose a task: an operator's assignment on hazards of one country",
    description:
      "An operator proposes for its own organisation, the country's national authority or an admin for any. Funding " +
      "grants must be of the task's country and given to its organisation. " +
      'A conflicting proposal answers 409 unless acknowledge_overlaps=true; dry_run=true checks a proposal (conflicts ' +
      `included) without storing it, as a proposal form does while it is drawn. ${OVERLAP_RULE}`,
    auth: 'actor',
    query: ProposeQuery,
    body: TaskCreate,
    responses: {
      200: { description: 'dry run: the task as it would be stored; nothing written', schema: TaskOut },
      201: { description: 'proposed', schema: TaskOut },
      ...writeErrors,
      409: overlapConflict,
    },
    handler: async ({ actor, body, query }) => {
      const created = await service.createTask(db, config, actor!, body, {
        acknowledge: query.acknowledge_overlaps,
        dryRun: query.dry_run,
      });
      if (query.dry_run) return { body: created };
      return { status: 201, body: created, headers: withEtag(created) };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/tasks/:id',
    tag: 'tasks',
    summary: 'One task',
    auth: 'public',
    params: IdParam,
    responses: { 200: { description: 'the task', schema: TaskOut }, 400: standardErrors[400], 404: notFoundError },
    handler: async ({ actor, params }) => {
      const task = await service.getTask(db, actor, String(params.id));
      return { body: task, headers: withEtag(task) };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'patch',
    path: '/tasks/:id',
    tag: 'tasks',
    summary: 'Change a task; If-Match must carry the version being edited',
    description:
      "The country's authority (or an admin) changes anything; the task's operator changes the plan (hazards, work " +
      'polygon, method, planned dates, funding) only while it is proposed, and its team, actual dates and status later. ' +
      `Status transitions: ${transitions}. A change of area or planned dates is checked for overlaps as a proposal is. ` +
      'A stale version answers 409; a missing If-Match 428.',
    auth: 'actor',
    params: IdParam,
    headers: IfMatchHeader,
    query: AcknowledgeQuery,
    body: TaskPatch,
    responses: {
      200: { description: 'updated', schema: TaskOut },
      ...writeErrors,
      409: {
        description: `version conflict, a transition not allowed, or ${overlapConflict.description}`,
        schema: ErrorResponse,
      },
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body, query, req }) => {
      const version = requiredIfMatch(req.get('if-match'));
      const updated = await service.updateTask(db, config, actor!, String(params.id), version, body, {
        acknowledge: query.acknowledge_overlaps,
      });
      return { body: updated, headers: withEtag(updated) };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/tasks/:id/approve',
    tag: 'tasks',
    summary: "Approve a proposed task (the country's national authority or an admin)",
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'approved', schema: TaskOut },
      ...standardErrors,
      404: notFoundError,
      409: { description: 'not proposed', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => {
      const task = await service.decideTask(db, actor!, String(params.id), { status: 'approved', reason: null });
      return { body: task, headers: withEtag(task) };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/tasks/:id/reject',
    tag: 'tasks',
    summary: 'Reject a proposed task with a reason',
    auth: 'actor',
    params: IdParam,
    body: RejectTaskBody,
    responses: {
      200: { description: 'rejected', schema: TaskOut },
      ...standardErrors,
      404: notFoundError,
      409: { description: 'not proposed', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => {
      const task = await service.decideTask(db, actor!, String(params.id), { status: 'rejected', reason: body.reason });
      return { body: task, headers: withEtag(task) };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/overlaps',
    tag: 'tasks',
    summary: "Every current conflict among a country's active tasks, with the overlap area and a link to the map",
    description: `${OVERLAP_RULE} A pair of tasks is listed once. Only tasks the reader may see take part.`,
    auth: 'public',
    params: Iso3Param,
    responses: { 200: { description: 'the conflicts', schema: OverlapReport }, 400: standardErrors[400] },
    handler: async ({ actor, params }) => ({ body: await countryOverlaps(db, config, actor, params.iso3) }),
  });

  return router;
}
