import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { ErrorResponse, IdParam, standardErrors } from '../http/common.schema.js';
import { requiredIfMatch } from '../http/if-match.js';
import { DryRunQuery } from '../http/dry-run.js';
import { COLLECTION_HEAD, streamFeatures, streamOrCut, textWriter } from '../http/feature-stream.js';
import { defineRoute } from '../http/route.js';
import {
  HazardCollection,
  HazardCreate,
  HazardListQuery,
  HazardOut,
  HazardPatch,
  IfMatchHeader,
} from './hazards.schema.js';
import * as service from './hazards.service.js';

const writeErrors = {
  ...standardErrors,
  404: { description: 'no such hazard', schema: ErrorResponse },
  413: { description: 'geometry has more vertices than allowed', schema: ErrorResponse },
  422: { description: 'geometry rejected: unrepairable, or outside its country', schema: ErrorResponse },
};

export function hazardRoutes(db: Db, config: Config, registry: OpenAPIRegistry, basePath: string): Router {
  const router = Router();

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/hazards',
    tag: 'hazards',
    summary: 'List hazards as a GeoJSON FeatureCollection (keyset pagination by id)',
    auth: 'public',
    query: HazardListQuery,
    responses: { 200: { description: 'a page of hazards', schema: HazardCollection }, 400: standardErrors[400] },
    handler: async ({ actor, query, res }) => {
      const { limit, cursor, ...filter } = query;
      const page = { after: cursor === undefined ? undefined : String(cursor), limit };
      const writer = textWriter(res, {
        type: 'application/json',
        head: COLLECTION_HEAD,
        tail: (_count, next) => `],"next_cursor":${next ?? 'null'}}`,
      });
      await streamOrCut(res, 'hazard list', () =>
        streamFeatures(service.hazardTexts(db, actor, filter), (f) => f.id, page, writer),
      );
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'post',
    path: '/hazards',
    tag: 'hazards',
    summary: 'Record a hazard (contaminated area)',
    description:
      'Admins and the national authority of the country only. Invalid geometry is repaired with ST_MakeValid and the reason ' +
      'returned in warnings, or rejected (422) when the repair changes the area by more than MAX_REPAIR_AREA_CHANGE or leaves nothing. ' +
      'A hazard reaching more than COUNTRY_TOLERANCE_M outside its country, or naming an unknown country, is rejected (422). ' +
      'Imports judge each feature by the same rule, in the same words.',
    auth: 'actor',
    query: DryRunQuery,
    body: HazardCreate,
    responses: {
      200: {
        description: 'dry run: the hazard as it would be recorded (warnings, area); nothing written',
        schema: HazardOut,
      },
      201: { description: 'created', schema: HazardOut },
      ...writeErrors,
    },
    handler: async ({ actor, body, query }) => {
      const created = await service.createHazard(db, config, actor!, body, { dryRun: query.dry_run });
      if (query.dry_run) return { body: created };
      return { status: 201, body: created, headers: { ETag: `"${created.properties.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'get',
    path: '/hazards/:id',
    tag: 'hazards',
    summary: 'One hazard',
    auth: 'public',
    params: IdParam,
    responses: { 200: { description: 'the hazard', schema: HazardOut }, 404: writeErrors[404] },
    handler: async ({ actor, params }) => {
      const hazard = await service.getHazard(db, actor, String(params.id));
      return { body: hazard, headers: { ETag: `"${hazard.properties.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'patch',
    path: '/hazards/:id',
    tag: 'hazards',
    summary: 'Change a hazard; If-Match must carry the version being edited',
    description: 'A stale version answers 409 with the current version; a missing If-Match answers 428.',
    auth: 'actor',
    params: IdParam,
    headers: IfMatchHeader,
    query: DryRunQuery,
    body: HazardPatch,
    responses: {
      200: { description: 'updated (or, with dry_run=true, as it would be; nothing written)', schema: HazardOut },
      ...writeErrors,
      409: { description: 'version conflict', schema: ErrorResponse },
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, body, req, query }) => {
      const version = requiredIfMatch(req.get('if-match'));
      const updated = await service.updateHazard(db, config, actor!, String(params.id), version, body, {
        dryRun: query.dry_run,
      });
      if (query.dry_run) return { body: updated };
      return { body: updated, headers: { ETag: `"${updated.properties.version}"` } };
    },
  });

  defineRoute(router, registry, basePath, {
    method: 'delete',
    path: '/hazards/:id',
    tag: 'hazards',
    summary: 'Delete a hazard (kept in the audit log; its releases stop counting)',
    auth: 'actor',
    params: IdParam,
    headers: IfMatchHeader.partial(),
    responses: {
      204: { description: 'deleted' },
      ...writeErrors,
      409: { description: 'version conflict', schema: ErrorResponse },
      428: { description: 'If-Match missing', schema: ErrorResponse },
    },
    handler: async ({ actor, params, req }) => {
      await service.deleteHazard(db, actor!, String(params.id), requiredIfMatch(req.get('if-match')));
    },
  });

  return router;
}

export type HazardFeature = z.infer<typeof HazardOut>;
