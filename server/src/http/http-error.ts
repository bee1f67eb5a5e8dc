export interface ErrorDetail {
  path?: string;
  feature?: string;
  message: string;
}

/** The one error type the API answers with: `{"error": {"code", "message", "details"}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message = 'authentication required') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(409, 'conflict', message, details);
export const geometryRejected = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(422, 'geometry_rejected', message, details);
