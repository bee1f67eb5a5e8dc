import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../shared/actor.js';
import { HttpError, type ErrorDetail, unauthorized } from './http-error.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;

/** Set by the app on requests that may write (res.locals.afterWrite), run before a successful answer is sent. */
export type AfterWrite = () => Promise<void>;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor | null;
  req: Request;
  res: Response;
}

export interface RouteResult<Body = unknown> {
  status?: number;
  body?: Body;
  /**
   * Or the body as JSON text already written (a stored document too large to parse and write out
   * again), sent as it is; tests check it against the schema like any body.
   */
  json?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

type Responses = Record<number, ResponseSpec>;

/** What a handler may answer: a value of one of its documented response schemas. */
export type ResponseBody<R extends Responses> = {
  [Status in keyof R]: R[Status] extends { schema: infer S extends z.ZodType } ? z.input<S> : never;
}[keyof R];

export interface RouteSpec<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends Responses = Responses,
> {
  method: Method;
  /** Express-style path relative to the router, e.g. '/hazards/:id'. */
  path: string;
  /** The OpenAPI operationId; by default derived from the method and path (see operationIdOf). */
  operationId?: string;
  summary: string;
  description?: string;
  tag: string;
  /** 'actor' routes answer 401 without an authenticated user; scope checks happen in services. */
  auth: 'public' | 'actor';
  params?: P;
  query?: Q;
  body?: B;
  /** The media types the body comes in: JSON unless told (an uploaded XML file is a string). */
  bodyTypes?: string[];
  headers?: AnyObject;
  responses: R;
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult<ResponseBody<R>> | void>;
}

// A route that declares no query parameters refuses any, like the routes that declare some refuse
// unknown ones (their schemas are strict): a misspelt parameter must not be silently ignored.
const NoQuery = z.object({}).strict();
const JSON_TYPES = ['application/json', 'application/geo+json'];

/** Turns zod issues into 400 details that name the offending field. */
export function zodDetails(error: z.ZodError, where: string): ErrorDetail[] {
  return error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return { path, message: `${issue.message}${keys}` };
  });
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = zodDetails(result.error, where);
    const first = details[0];
    throw new HttpError(400, 'bad_request', first ? `${first.path}: ${first.message}` : `invalid ${where}`, details);
  }
  return result.data;
}

/**
 * A stable operationId from the method and the OpenAPI path, e.g. GET /api/v1/countries/{iso3}/progress
 * → getCountriesByIso3Progress: unique because method and path are, and client generators need one.
 */
export function operationIdOf(method: Method, basePath: string, openApiPath: string): string {
  const words = openApiPath
    .slice(basePath.length)
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => segment.replace(/\{(\w+)\}/g, ' by $1 ').split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

// Every route may be called anonymously or with credentials (public routes show more to some
// readers); 'actor' routes require one of the two schemes.
const AUTHENTICATED = [{ bearer: [] }, { session: [] }];
const OPTIONAL_AUTH = [{}, ...AUTHENTICATED];

let checkingResponses = false;

/**
 * Tests turn this on: every JSON answer is then checked against the schema its route documents
 * for that status, and a mismatch answers 500 naming the fields, so the document cannot lie.
 */
export function checkResponsesAgainstSchemas(on = true): void {
  checkingResponses = on;
}

function checkResponse(route: string, responses: Responses, status: number, body: unknown): void {
  const schema = responses[status]?.schema;
  if (!schema)
    throw new HttpError(
      500,
      'undocumented_response',
      `${route} answered ${status} with a body its declaration does not document`,
    );
  // What the client receives: Dates become strings, undefined fields disappear.
  const result = schema.safeParse(JSON.parse(JSON.stringify(body)));
  if (!result.success) {
    const details = zodDetails(result.error, 'response');
    throw new HttpError(
      500,
      'undocumented_response',
      `${route} answered ${status} against its documented schema: ${details[0]?.path}: ${details[0]?.message}`,
      details,
    );
  }
}

/**
 * Registers one endpoint on the express router and, from the very same zod schemas, in the
 * OpenAPI registry, so the document can never drift from what the server validates.
 */
export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends Responses>(
  router: Router,
  registry: OpenAPIRegistry,
  basePath: string,
  spec: RouteSpec<P, Q, B, R>,
): void {
  const openApiPath = basePath + spec.path.replace(/:([a-z0-9_]+)/g, '{$1}');
  const request: RouteConfig['request'] = {};
  if (spec.params) request.params = spec.params;
  if (spec.query) request.query = spec.query;
  if (spec.headers) request.headers = spec.headers;
  const bodyTypes = spec.bodyTypes ?? ['application/json'];
  if (spec.body) {
    const content = Object.fromEntries(bodyTypes.map((type) => [type, { schema: spec.body! }]));
    request.body = { content, required: true };
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(spec.responses as Responses)) {
    responses[status] = response.schema
      ? {
          description: response.description,
          content: { [response.contentType ?? 'application/json']: { schema: response.schema } },
        }
      : { description: response.description };
  }
  registry.registerPath({
    method: spec.method,
    path: openApiPath,
    operationId: spec.operationId ?? operationIdOf(spec.method, basePath, openApiPath),
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    security: spec.auth === 'actor' ? AUTHENTICATED : OPTIONAL_AUTH,
    request,
    responses,
  });

  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const actor = (res.locals.actor as Actor | undefined) ?? null;
    if (spec.auth === 'actor' && !actor) throw unauthorized();
    const params = spec.params ? parseOrThrow(spec.params, req.params, 'params') : {};
    const query = parseOrThrow(spec.query ?? NoQuery, req.query, 'query');
    // req.is is false for a body of another type (null for no body at all): a form or text body
    // must not reach validation as "every field missing".
    const accepted = spec.bodyTypes ?? JSON_TYPES;
    if (spec.body && req.is(accepted) === false) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `the request body must be ${accepted.join(' or ')}, not ${req.get('content-type')}`,
      );
    }
    const body = spec.body ? parseOrThrow(spec.body, req.body ?? {}, 'body') : undefined;
    const result = await spec.handler({ params, query, body, actor, req, res } as RouteInput<
      z.infer<P>,
      z.infer<Q>,
      z.infer<B>
    >);
    if (res.headersSent) return;
    // A write that succeeded tells the reader where the primary was after it (read-replicas.ts).
    if (spec.method !== 'get' && (result?.status ?? 200) < 400)
      await (res.locals.afterWrite as AfterWrite | undefined)?.();
    if (!result) {
      res.status(204).end();
      return;
    }
    const status = result.status ?? 200;
    if (checkingResponses) {
      const body: unknown = result.json === undefined ? result.body : JSON.parse(result.json);
      if (body !== undefined)
        checkResponse(`${spec.method.toUpperCase()} ${openApiPath}`, spec.responses, status, body);
    }
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    res.status(status);
    if (result.json !== undefined) res.type('application/json').send(result.json);
    else if (result.body === undefined) res.end();
    else res.json(result.body);
  });
}
