import express, { type RequestHandler } from 'express';
import type { Config } from '../config.js';
import { HttpError } from './http-error.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function refuseInvalidUtf8(_req: unknown, _res: unknown, buffer: Buffer, encoding: string): void {
  if (!/^utf-?8$/i.test(encoding)) return;
  try {
    strictUtf8.decode(buffer);
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid UTF-8');
  }
}

/**
 * JSON bodies (application/json and application/geo+json) up to MAX_BODY_BYTES. Bytes that are
 * not UTF-8 are refused rather than silently turned into U+FFFD, which would store text nobody sent.
 */
export function jsonBody(config: Config): RequestHandler {
  return express.json({
    limit: config.MAX_BODY_BYTES,
    type: ['application/json', 'application/geo+json'],
    verify: refuseInvalidUtf8,
  });
}

export const XML_TYPES = ['application/xml', 'text/xml'];

/** XML bodies (an uploaded IATI file) as text, under the same MAX_BODY_BYTES and UTF-8 rule. */
export function xmlBody(config: Config): RequestHandler {
  return express.text({ limit: config.MAX_BODY_BYTES, type: XML_TYPES, verify: refuseInvalidUtf8 });
}
