import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { DryRunQuery } from '../http/dry-run.js';
import { defineRoute } from '../http/route.js';
import { RejectBody, ReleaseCollection, ReleaseCreate, ReleaseListQuery, ReleaseOut } from './releases.schema.js';
import * as service from './releases.service.js';

const notFoundError = { description: 'no such release (or not visible to you)', schema: ErrorResponse };

export function releaseRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/releases',
    tag: 'releases',
    summary:
      'List land releases (approved ones for everyone; submitted and rejected ones for those who may act on them)',
    auth: 'public',
    query: ReleaseListQuery,
    responses: { 200: { description: 'a page of releases', schema: ReleaseCollection }, 400: standardErrors[400] },
    handler: async ({ actor, query }) => ({ body: await service.listReleases(db, actor, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/hazards/:id/releases',
    tag: 'releases',
    summary: "A hazard's land releases",
    auth: 'public',
    params: IdParam,
    query: ReleaseListQuery.omit({ hazard_id: true, country: true }),
    responses: { 200: { description: 'a page of releases', schema: ReleaseCollection }, 400: standardErrors[400] },
    handler: async ({ actor, params, query }) => ({
      body: await service.listReleases(db, actor, { ...query, hazard_id: params.id }),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/releases',
    tag: 'releases',
    summary: 'Record a land release (cancelled, reduced or cleared) from one hazard',
    description:
      'The polygon is clipped to its hazard and the clipped-off area reported in clipped_m2 and warnings; one with nothing ' +
      "inside its hazard is rejected (422). Recorded by an admin or the country's national authority it is approved at once; " +
      'recorded by an operator it is submitted and counts nowhere until the authority approves it.',
    auth: 'actor',
    query: DryRunQuery,
    body: ReleaseCreate,
    responses: {
      200: {
        description: 'dry run: the release as it would be recorded (warnings, area, clipped area); nothing written',
        schema: ReleaseOut,
      },
      201: { description: 'recorded', schema: ReleaseOut },
      ...standardErrors,
      413: { description: 'too many vertices', schema: ErrorResponse },
      422: { description: 'geometry rejected', schema: ErrorResponse },
    },
    handler: async ({ actor, body, query }) => ({
      status: query.dry_run ? 200 : 201,
      body: await service.createRelease(db, config, actor!, body, { dryRun: query.dry_run }),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/releases/:id',
    tag: 'releases',
    summary: 'One land release',
    auth: 'public',
    params: IdParam,
    responses: { 200: { description: 'the release', schema: ReleaseOut }, 404: notFoundError },
    handler: async ({ actor, params }) => ({ body: await service.getRelease(db, actor, String(params.id)) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/releases/:id/approve',
    tag: 'releases',
    summary: "Approve a submitted release (the country's national authority or an admin)",
    auth: 'actor',
    params: IdParam,
    responses: {
      200: { description: 'approved; figures updated', schema: ReleaseOut },
      ...standardErrors,
      404: notFoundError,
      409: { description: 'not in submitted state', schema: ErrorResponse },
    },
    handler: async ({ actor, params }) => ({
      body: await service.reviewRelease(db, actor!, String(params.id), { status: 'approved', reason: null }),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/releases/:id/reject',
    tag: 'releases',
    summary: 'Reject a submitted release with a reason',
    auth: 'actor',
    params: IdParam,
    body: RejectBody,
    responses: {
      200: { description: 'rejected', schema: ReleaseOut },
      ...standardErrors,
      404: notFoundError,
      409: { description: 'not in submitted state', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => ({
      body: await service.reviewRelease(db, actor!, String(params.id), { status: 'rejected', reason: body.reason }),
    }),
  });

  return router;
}
