import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

// Errors thrown by express's own body parser carry a `type` and an HTTP status.
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): HttpError | undefined {
  if (error.type === 'entity.too.large') {
    return new HttpError(413, 'payload_too_large', `request body is larger than the limit of ${error.limit} bytes`);
  }
  if (error.type === 'entity.parse.failed') return new HttpError(400, 'bad_request', 'request body is not valid JSON');
  if (typeof error.type === 'string' && error.status && error.status < 500) {
    return new HttpError(error.status, 'bad_request', 'request body could not be read');
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
    default:
      return undefined;
  }
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const known =
    error instanceof HttpError ? error : (fromBodyParser(error as BodyParserError) ?? fromPostgres(error as { code?: string }));
  if (known) {
    res.status(known.status).json(known.toJSON());
    return;
  }
  console.error(`${req.method} ${req.originalUrl} failed:`, error);
  res.status(500).json(new HttpError(500, 'internal', 'internal server error').toJSON());
};
