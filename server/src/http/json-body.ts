import express, { type RequestHandler } from 'express';
import type { Config } from '../config.js';
import { HttpError } from './http-error.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies (application/json and application/geo+json) up to MAX_BODY_BYTES. Bytes that are
 * not UTF-8 are refused rather than silently turned into U+FFFD, which would store text nobody sent.
 */
export function jsonBody(config: Config): RequestHandler {
  return express.json({
    limit: config.MAX_BODY_BYTES,
    type: ['application/json', 'application/geo+json'],
    verify: (_req, _res, buffer, encoding) => {
      if (!/^utf-?8$/i.test(encoding)) return;
      try {
        strictUtf8.decode(buffer);
      } catch {
        throw new HttpError(400, 'bad_request', 'request body is not valid UTF-8');
      }
    },
  });
}
