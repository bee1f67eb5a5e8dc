import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { defineRoute } from '../http/route.js';
import { DONOR_KINDS } from './donor-kinds.js';
import {
  OrganisationCreate,
  OrganisationList,
  OrganisationListQuery,
  OrganisationOut,
  OrganisationPatch,
  VersionHeader,
} from './organisations.schema.js';
import * as service from './organisations.service.js';

const notFound = { description: 'no such organisation', schema: ErrorResponse };
const writeErrors = {
  ...standardErrors,
  409: { description: 'the name or IATI identifier is taken, or the version is stale', schema: ErrorResponse },
};

export function organisationRoutes(db: Db, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/organisations',
    tag: 'organisations',
    summary: 'Every organisation (public records), by name',
    auth: 'public',
    query: OrganisationListQuery,
    responses: { 200: { description: 'the organisations', schema: OrganisationList }, 400: standardErrors[400] },
    handler: async ({ query }) => ({ body: await service.listOrganisations(db, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/organisations',
    tag: 'organisations',
    summary: 'Record an organisation (admins only)',
    description:
      `Operator and donor users act for exactly one organisation. Only organisations of the kinds ${DONOR_KINDS.join(', ')} ` +
      'may be the donor of a grant.',
    auth: 'actor',
    body: OrganisationCreate,
    responses: { 201: { description: 'created', schema: OrganisationOut }, ...writeErrors },
    handler: async ({ actor, body }) => {
      const created = await service.createOrganisation(db, actor!, body);
      return { status: 201, body: created, headers: { ETag: `"${created.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/organisations/:id',
    tag: 'organisations',
    summary: 'One organisation',
    auth: 'public',
    params: IdParam,
    responses: { 200: { description: 'the organisation', schema: OrganisationOut }, 404: notFound },
    handler: async ({ params }) => {
      const organisation = await service.getOrganisation(db, String(params.id));
      return { body: organisation, headers: { ETag: `"${organisation.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'patch',
    path: '/organisations/:id',
    tag: 'organisations',
    summary: 'Change an organisation (admins only); If-Match must carry the version being edited',
    description:
      'A stale version answers 409 with the current version; a missing If-Match answers 428. An organisation that is the ' +
      `donor of a grant keeps one of the donor kinds (${DONOR_KINDS.join(', ')}).`,
    auth: 'actor',
    params: IdParam,
    headers: VersionHeader,
    body: OrganisationPatch,
    responses: {
      200: { description: 'updated', schema: OrganisationOut },
      ...writeErrors,
      404: notFound,
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body, req }) => {
      const version = requiredIfMatch(req.get('if-match'));
      const updated = await service.updateOrganisation(db, actor!, String(params.id), version, body);
      return { body: updated, headers: { ETag: `"${updated.version}"` } };
    },
  });

  return router;
}
