import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { HazardOut, IfMatchHeader } from '../hazards/hazards.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import { History, RestoreBody } from './history.schema.js';
import * as service from './history.service.js';

const historyDescription =
  'Every version from the audit log, newest first: who (for signed-in readers), when, the action, the fields that ' +
  'changed from the previous version, and the full feature as it was after that version.';

export function historyRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/hazards/:id/history',
    tag: 'history',
    summary: "A hazard's versions",
    description: `${historyDescription} A deleted hazard's history is shown to those who may restore it.`,
    auth: 'public',
    params: IdParam,
    responses: {
      200: { description: 'the versions', schema: History },
      400: standardErrors[400],
      404: { description: 'no such hazard (or deleted and not yours to restore)', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await service.hazardHistory(db, actor, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/releases/:id/history',
    tag: 'history',
    summary: "A land release's versions (submission, review)",
    description: `${historyDescription} Visible to whoever may see the release.`,
    auth: 'public',
    params: IdParam,
    responses: {
      200: { description: 'the versions', schema: History },
      400: standardErrors[400],
      404: { description: 'no such release (or not visible to you)', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await service.releaseHistory(db, actor, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/tasks/:id/history',
    tag: 'history',
    summary: "A task's versions (proposal, changes, decision)",
    description: `${historyDescription} Visible to whoever may see the task.`,
    auth: 'public',
    params: IdParam,
    responses: {
      200: { description: 'the versions', schema: History },
      400: standardErrors[400],
      404: { description: 'no such task (or not visible to you)', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({ body: await service.taskHistory(db, actor, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/hazards/:id/restore',
    tag: 'history',
    summary: 'Bring back an earlier version of a hazard as a new version (undeletes a deleted hazard)',
    description:
      'If-Match must carry the current version. The restored geometry is validated again like a PATCH (it may be ' +
      'rejected if, say, the country boundary changed since), remaining area is recomputed, and the write is audited ' +
      'as `restore`. Same scope as PATCH.',
    auth: 'actor',
    params: IdParam,
    headers: IfMatchHeader,
    body: RestoreBody,
    responses: {
      200: { description: 'the hazard as restored, at its new version', schema: HazardOut },
      ...standardErrors,
      404: { description: 'no such hazard or version', schema: ErrorResponse },
      409: { description: 'stale If-Match, or its reference is now used by another hazard', schema: ErrorResponse },
      422: {
        description: 'the old geometry no longer passes validation (e.g. outside an updated boundary)',
        schema: ErrorResponse,
      },
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body, req }) => {
      const expected = requiredIfMatch(req.get('if-match'));
      const restored = await service.restoreHazard(db, config, actor!, String(params.id), expected, body.version);
      return { body: restored, headers: { ETag: `"${restored.properties.version}"` } };
    },
  });

  return router;
}
