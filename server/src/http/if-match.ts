import { HttpError, conflict } from './http-error.js';

/** Parses an If-Match header: "3", 3, W/"3". */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match)
    throw new HttpError(400, 'bad_request', 'If-Match must be the version number, e.g. "3"', [
      { path: 'headers.if-match', message: 'not a version' },
    ]);
  return Number(match[1]);
}

/**
 * The version a PATCH or DELETE acts on: such a write must name it, so that it never overwrites a
 * change its sender never saw (428 without it; a stale version is the service's 409).
 */
export function requiredIfMatch(header: string | undefined): number {
  const version = parseIfMatch(header);
  if (version === undefined) {
    throw new HttpError(
      428,
      'precondition_required',
      'send If-Match with the version you are changing, e.g. If-Match: "3"',
    );
  }
  return version;
}

/** The 409 for a write that names a version other than the record's current one. */
export function staleVersion(what: string, current: { version: number; updated_at: Date | string }, expected: number) {
  return conflict(`${what} is at version ${current.version}, not ${expected}: someone else changed it`, [
    {
      path: 'headers.if-match',
      message: `current version is ${current.version}; reload it (updated ${new Date(current.updated_at).toISOString()})`,
    },
  ]);
}
