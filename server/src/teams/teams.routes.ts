import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { defineRoute } from '../http/route.js';
import { VersionHeader } from '../organisations/organisations.schema.js';
import { TeamCreate, TeamList, TeamListQuery, TeamOut, TeamPatch } from './teams.schema.js';
import * as service from './teams.service.js';
import { IMPLEMENTING_KINDS } from './teams.service.js';

const SCOPE =
  "Teams are read by admins, the country's national authority, and the operators and donors working there (not " +
  "public); written by admins, the country's authority (any organisation's team there) and an operator for its own " +
  "organisation's teams.";
const RULES =
  `The organisation must exist and be of kind ${IMPLEMENTING_KINDS.join(', ')}; the base must lie in the country ` +
  '(within COUNTRY_TOLERANCE_M of its boundary); stand-downs must leave some day of the year to work; the name is ' +
  'unique per organisation and country (409).';
const notFound = { description: 'no such team (or not visible to you)', schema: ErrorResponse };
const writeErrors = {
  ...standardErrors,
  404: notFound,
  409: {
    description:
      'the name is taken, the version is stale, or a task names the team and its organisation or country would change',
    schema: ErrorResponse,
  },
};
const versioned = { 428: { description: 'If-Match missing', schema: ErrorResponse } };

export function teamRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();
  const tolerance = config.COUNTRY_TOLERANCE_M;

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/teams',
    tag: 'teams',
    summary: 'The teams the reader may see, by country, organisation and name',
    description: `${SCOPE} A country outside the reader's scope answers 403.`,
    auth: 'actor',
    query: TeamListQuery,
    responses: { 200: { description: 'the teams', schema: TeamList }, ...standardErrors },
    handler: async ({ actor, query }) => ({ body: await service.listTeams(db, actor!, query) }),
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/teams',
    tag: 'teams',
    summary: "Record a team: an organisation's asset in one country",
    description: `${SCOPE} ${RULES}`,
    auth: 'actor',
    body: TeamCreate,
    responses: { 201: { description: 'created', schema: TeamOut }, ...writeErrors },
    handler: async ({ actor, body }) => {
      const created = await service.createTeam(db, actor!, tolerance, body);
      return { status: 201, body: created, headers: { ETag: `"${created.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/teams/:id',
    tag: 'teams',
    summary: 'One team',
    description: SCOPE,
    auth: 'actor',
    params: IdParam,
    responses: { 200: { description: 'the team', schema: TeamOut }, ...standardErrors, 404: notFound },
    handler: async ({ actor, params }) => {
      const team = await service.getTeam(db, actor!, String(params.id));
      return { body: team, headers: { ETag: `"${team.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'patch',
    path: '/teams/:id',
    tag: 'teams',
    summary: 'Change a team; If-Match must carry the version being edited',
    description: `${SCOPE} ${RULES} A stale version answers 409 with the current version; a missing If-Match 428.`,
    auth: 'actor',
    params: IdParam,
    headers: VersionHeader,
    body: TeamPatch,
    responses: { 200: { description: 'updated', schema: TeamOut }, ...writeErrors, ...versioned },
    handler: async ({ actor, params, body, req }) => {
      const version = requiredIfMatch(req.get('if-match'));
      const updated = await service.updateTeam(db, actor!, tolerance, String(params.id), version, body);
      return { body: updated, headers: { ETag: `"${updated.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'delete',
    path: '/teams/:id',
    tag: 'teams',
    summary: 'Delete a team (kept for the tasks that name it and in the audit log); If-Match as for a change',
    auth: 'actor',
    params: IdParam,
    headers: VersionHeader,
    responses: { 204: { description: 'deleted' }, ...writeErrors, ...versioned },
    handler: async ({ actor, params, req }) => {
      await service.deleteTeam(db, actor!, String(params.id), requiredIfMatch(req.get('if-match')));
    },
  });

  return router;
}
