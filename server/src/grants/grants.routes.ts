import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { defineRoute } from '../http/route.js';
import { DONOR_KINDS } from '../organisations/donor-kinds.js';
import { VersionHeader } from '../organisations/organisations.schema.js';
import { z } from 'zod';
import { writeGrantsCsv, writeGrantsJson } from './grants.export.js';
import {
  GrantCreate,
  GrantExport,
  GrantFilter,
  GrantList,
  GrantListQuery,
  GrantOut,
  GrantPatch,
} from './grants.schema.js';
import * as service from './grants.service.js';

const notFound = {
  description: 'no such grant, or one the caller may not see (coalition visibility)',
  schema: ErrorResponse,
};
const writeErrors = { ...standardErrors, 404: notFound };
const versioned = {
  409: { description: 'version conflict', schema: ErrorResponse },
  428: { description: 'If-Match missing', schema: ErrorResponse },
};

const RULES =
  `The donor is an organisation of a donor kind (${DONOR_KINDS.join(', ')}: a UN agency may pass money on); the ` +
  'recipient is any other organisation. end_on is not before start_on, and every transaction is dated inside ' +
  '[start_on, end_on]. The currency is an ISO 4217 code. Any broken rule answers 400 naming each field, and nothing ' +
  'is written. Admins, the national authority of the country, and donor users for grants of their own organisation ' +
  'may write; a change must be allowed both before and after it. amount_usd converts at the rate of the year of ' +
  'start_on, each transaction at the rate of its own year (GET /exchange-rates); a missing rate gives null and ' +
  'rate_missing: true, never a guess.';

export function grantRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/grants',
    tag: 'grants',
    summary: 'The grants the caller may see (keyset pagination by id)',
    description:
      'Public grants for everybody; coalition-only ones for admins, the national authority of the country and the users ' +
      'of the donor and recipient organisations. ' +
      RULES,
    auth: 'public',
    query: GrantListQuery,
    responses: { 200: { description: 'a page of grants', schema: GrantList }, 400: standardErrors[400] },
    handler: async ({ actor, query }) => ({ body: await service.listGrants(db, actor, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/grants.csv',
    tag: 'grants',
    summary: 'Every grant matching the filters that the caller may see, as a CSV file',
    description:
      'The fields of GET /grants, one row per grant, with its transactions summed by type in its currency (committed, ' +
      'disbursed) and in USD at the rate of each transaction year (committed_usd, disbursed_usd: empty where a rate is ' +
      'missing). Coalition-only grants only for those who see their detail.',
    auth: 'public',
    query: GrantFilter,
    responses: {
      200: { description: 'the CSV file', schema: z.string().describe('CSV'), contentType: 'text/csv; charset=utf-8' },
      400: standardErrors[400],
    },
    handler: async ({ actor, query, res }) => writeGrantsCsv(db, actor, query, res),
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/grants.json',
    tag: 'grants',
    summary: 'Every grant matching the filters that the caller may see, unpaged, as a JSON file (streamed)',
    auth: 'public',
    query: GrantFilter,
    responses: {
      200: {
        description: 'the grants as GET /grants shows them',
        schema: GrantExport,
        contentType: 'application/json',
      },
      400: standardErrors[400],
    },
    handler: async ({ actor, query, res }) => writeGrantsJson(db, actor, query, res),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/grants',
    tag: 'grants',
    summary: 'Record a grant from a donor to an implementing organisation, with its transactions',
    description: RULES,
    auth: 'actor',
    body: GrantCreate,
    responses: { 201: { description: 'created', schema: GrantOut }, ...standardErrors },
    handler: async ({ actor, body }) => {
      const created = await service.createGrant(db, actor!, body);
      return { status: 201, body: created, headers: { ETag: `"${created.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/grants/:id',
    tag: 'grants',
    summary: 'One grant; a coalition-only grant the caller may not see is 404',
    auth: 'public',
    params: IdParam,
    responses: { 200: { description: 'the grant', schema: GrantOut }, 404: notFound },
    handler: async ({ actor, params }) => {
      const grant = await service.getGrant(db, actor, String(params.id));
      return { body: grant, headers: { ETag: `"${grant.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'patch',
    path: '/grants/:id',
    tag: 'grants',
    summary: 'Change a grant; If-Match must carry the version being edited',
    description: `A given transactions list replaces the whole list. ${RULES}`,
    auth: 'actor',
    params: IdParam,
    headers: VersionHeader,
    body: GrantPatch,
    responses: { 200: { description: 'updated', schema: GrantOut }, ...writeErrors, ...versioned },
    handler: async ({ actor, params, body, req }) => {
      const version = requiredIfMatch(req.get('if-match'));
      const updated = await service.updateGrant(db, actor!, String(params.id), version, body);
      return { body: updated, headers: { ETag: `"${updated.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'delete',
    path: '/grants/:id',
    tag: 'grants',
    summary: 'Delete a grant (kept in the audit log); one still paying for tasks answers 409',
    auth: 'actor',
    params: IdParam,
    headers: VersionHeader,
    responses: { 204: { description: 'deleted' }, ...writeErrors, ...versioned },
    handler: async ({ actor, params, req }) => {
      await service.deleteGrant(db, actor!, String(params.id), requiredIfMatch(req.get('if-match')));
    },
  });

  return router;
}
