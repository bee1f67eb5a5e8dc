import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import { ErrorResponse, standardErrors } from '../http/common.schema.js';
import { parseIfMatch, requiredIfMatch } from '../http/if-match.js';
import { defineRoute } from '../http/route.js';
import { VersionHeader } from '../organisations/organisations.schema.js';
import { OptionalIfMatch, RateList, RateListQuery, RateOut, RateParams, RatePut } from './exchange-rates.schema.js';
import * as service from './exchange-rates.service.js';

const conflictResponse = { description: 'version conflict', schema: ErrorResponse };

export function exchangeRateRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/exchange-rates',
    tag: 'grants',
    summary: 'The yearly exchange rates to USD that grant amounts convert at',
    description:
      'A grant amount converts at the rate of its currency for the year of its start date, a transaction at the rate of ' +
      'its own year. No rate is ever guessed from another year or fetched from anywhere: where none is recorded the USD ' +
      'figure is null and marked rate_missing. USD itself converts at 1 and has no rate.',
    auth: 'public',
    query: RateListQuery,
    responses: { 200: { description: 'the rates', schema: RateList }, 400: standardErrors[400] },
    handler: async ({ query }) => ({ body: await service.listRates(db, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'put',
    path: '/exchange-rates/:currency/:year',
    tag: 'grants',
    summary: 'Record or replace the rate of a currency for a year, with its source (admins only, audited)',
    auth: 'actor',
    params: RateParams,
    headers: OptionalIfMatch,
    body: RatePut,
    responses: {
      200: { description: 'replaced', schema: RateOut },
      201: { description: 'created', schema: RateOut },
      ...standardErrors,
      409: conflictResponse,
    },
    handler: async ({ actor, params, body, req }) => {
      const version = parseIfMatch(req.get('if-match'));
      const { rate, created } = await service.putRate(db, actor!, params, body, version);
      return { status: created ? 201 : 200, body: rate, headers: { ETag: `"${rate.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'delete',
    path: '/exchange-rates/:currency/:year',
    tag: 'grants',
    summary: 'Delete a rate (admins only, audited); amounts of that currency and year then show as rate_missing',
    auth: 'actor',
    params: RateParams,
    headers: VersionHeader,
    responses: {
      204: { description: 'deleted' },
      ...standardErrors,
      404: { description: 'no such rate', schema: ErrorResponse },
      409: conflictResponse,
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, req }) => {
      await service.deleteRate(db, actor!, params, requiredIfMatch(req.get('if-match')));
    },
  });

  return router;
}
