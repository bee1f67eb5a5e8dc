import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

// Errors thrown by express's own body parser carry a `type` and an HTTP status.
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  expose?: boolean;
  message?: string;
}

function fromBodyParser(error: BodyParserError): HttpError | undefined {
  if (error.type === 'entity.too.large') {
    return new HttpError(413, 'payload_too_large', `request body is larger than the limit of ${error.limit} bytes`);
  }
  if (error.type === 'entity.parse.failed') return new HttpError(400, 'bad_request', 'request body is not valid JSON');
  if (typeof error.type === 'string' && error.status && error.status < 500) {
    return new HttpError(error.status, 'bad_request', 'request body could not be read');
  }
  // express's own 4xx (http-errors), e.g. a path with a broken percent-encoding.
  if (error.status && error.status >= 400 && error.status < 500) {
    return new HttpError(
      error.status,
      'bad_request',
      error.expose && error.message ? error.message : 'the request could not be read',
    );
  }
  return undefined;
}

// PostgreSQL errors that bad input can still reach despite validation map to 4xx, never 500.
function fromPostgres(error: { code?: string; message?: string }): HttpError | undefined {
  switch (error.code) {
    case '23505':
      return new HttpError(409, 'conflict', 'a record with the same unique key already exists');
    case '23503':
      return new HttpError(400, 'bad_request', 'a referenced record does not exist');
    case '23514':
      return new HttpError(422, 'constraint_violated', 'the record breaks a data-integrity rule');
    case '40P01':
    case '40001':
      return new HttpError(409, 'conflict', 'a concurrent write interfered; retry the request');
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case '57P01':
    case '57P02':
    case '57P03':
      return databaseUnavailable();
    default:
      if (error.code?.startsWith('08') || /^Connection terminated/.test(error.message ?? ''))
        return databaseUnavailable();
      // Class 22 is "data exception": a value PostgreSQL could not take (a NUL character in text,
      // a number out of range, an invalid date). Only input can cause it.
      return error.code?.startsWith('22')
        ? new HttpError(400, 'bad_request', 'a value in the request cannot be stored')
        : undefined;
  }
}

// PostGIS reports what it cannot compute (an edge between antipodal points, a topology its overlay
// cannot resolve) as XX000, "internal error". Geometry checks catch what they know of, but the
// geometry in a request remains the likely cause, so the client gets a 422 that says so, and
// never PostGIS's own text; the server log keeps the full error in case it was a bug after all.
function fromPostgis(error: { code?: string }): HttpError | undefined {
  if (error.code !== 'XX000') return undefined;
  return new HttpError(
    422,
    'geometry_unprocessable',
    'the database could not process a geometry of this request; check that it is a reasonable area on the ground',
  );
}

// The database restarting or unreachable is not the server's bug: 503 tells clients to retry (the
// pool reconnects by itself once PostgreSQL is back).
const databaseUnavailable = () =>
  new HttpError(503, 'database_unavailable', 'the database is unavailable; retry shortly');

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const known =
    error instanceof HttpError
      ? error
      : (fromBodyParser(error as BodyParserError) ?? fromPostgres(error as { code?: string }));
  const postgis = known ? undefined : fromPostgis(error as { code?: string });
  if (postgis) {
    console.error(`${req.method} ${req.originalUrl} answered ${postgis.status}:`, error);
    res.status(postgis.status).json(postgis.toJSON());
    return;
  }
  if (known) {
    res.status(known.status).json(known.toJSON());
    return;
  }
  console.error(`${req.method} ${req.originalUrl} failed:`, error);
  res.status(500).json(new HttpError(500, 'internal', 'internal server error').toJSON());
};
