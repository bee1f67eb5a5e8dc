import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import { ErrorResponse, Iso3Param, standardErrors } from '../http/common.schema.js';
import { defineRoute } from '../http/route.js';
import {
  CompletionCreate,
  Confirmation,
  ExtensionCreate,
  Obligation,
  ObligationListQuery,
  ObligationParams,
} from './obligations.schema.js';
import * as service from './obligations.service.js';

const notFoundError = {
  description: 'unknown country, or no obligation of this country under this treaty',
  schema: ErrorResponse,
};
const writeErrors = { ...standardErrors, 404: notFoundError };
const WHO_MAY_WRITE =
  'Admins and the national authority of the country only. The change and an audit row (before and after) are written in one ' +
  "transaction; the source is appended to the obligation's sources.";

export function obligationRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/obligations',
    tag: 'obligations',
    summary: 'Treaty obligations (CCM Article 4, APMBC Article 5) of every State Party, with extension history',
    description:
      'Rows known only from recall have confidence "recalled" and verified false until someone with the role confirms them.',
    auth: 'public',
    query: ObligationListQuery,
    responses: {
      200: { description: 'obligations by country, then treaty', schema: z.array(Obligation) },
      400: standardErrors[400],
    },
    handler: async ({ query }) => ({ body: await service.listObligations(db, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/countries/:iso3/obligations',
    tag: 'obligations',
    summary: "One country's treaty obligations, with extension history",
    auth: 'public',
    params: Iso3Param,
    responses: {
      200: { description: 'the obligations', schema: z.array(Obligation) },
      400: standardErrors[400],
      404: notFoundError,
    },
    handler: async ({ params }) => ({ body: await service.countryObligations(db, params.iso3) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/countries/:iso3/obligations/:treaty/extensions',
    tag: 'obligations',
    summary: 'Record an extension of the clearance deadline granted by a meeting of States Parties',
    description:
      `${WHO_MAY_WRITE} The current deadline moves to new_deadline when that is later (or none is known); an older grant only ` +
      'fills in the history. new_deadline must be after the original deadline; a second extension to the same date answers 409.',
    auth: 'actor',
    params: ObligationParams,
    body: ExtensionCreate,
    responses: {
      201: { description: 'the obligation with the extension', schema: Obligation },
      ...writeErrors,
      409: { description: 'an extension to this deadline is already recorded', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body }) => ({
      status: 201,
      body: await service.addExtension(db, actor!, params.iso3, params.treaty, body),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/countries/:iso3/obligations/:treaty/completion',
    tag: 'obligations',
    summary: 'Mark the obligation completed: all known areas cleared',
    description: `${WHO_MAY_WRITE} completed_on must not be in the future nor before entry into force; sending it again corrects the date.`,
    auth: 'actor',
    params: ObligationParams,
    body: CompletionCreate,
    responses: { 200: { description: 'the completed obligation', schema: Obligation }, ...writeErrors },
    handler: async ({ actor, params, body }) => ({
      body: await service.markCompleted(db, actor!, params.iso3, params.treaty, body),
    }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/countries/:iso3/obligations/:treaty/confirm',
    tag: 'obligations',
    summary: 'Confirm the obligation against a source: it becomes verified, with who confirmed it and when',
    description: WHO_MAY_WRITE,
    auth: 'actor',
    params: ObligationParams,
    body: Confirmation,
    responses: { 200: { description: 'the confirmed obligation', schema: Obligation }, ...writeErrors },
    handler: async ({ actor, params, body }) => ({
      body: await service.confirm(db, actor!, params.iso3, params.treaty, body),
    }),
  });

  return router;
}
