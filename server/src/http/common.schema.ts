import { z } from 'zod';
import { todayUtc } from '../shared/dates.js';

/**
 * Characters no stored text may hold: control characters other than tab and line breaks (they
 * include NUL, which PostgreSQL cannot store, and the escape that starts an ANSI terminal
 * sequence), and a lone UTF-16 surrogate (half a character; stored, it would silently become
 * U+FFFD). No `u` flag, so that surrogates are seen one by one.
 */
const UNSTORABLE =
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

const codePoint = (char: string) => `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong with a text under the rule above, or undefined when nothing is. */
export function unstorableText(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  const what = /[\ud800-\udfff]/.test(found[0]) ? 'a lone UTF-16 surrogate' : 'a control character';
  return `must not contain ${what} (${codePoint(found[0])} at character ${found.index + 1})`;
}

/** The text with every character the rule refuses written as \uXXXX, for echoing it in a message or report. */
export const printable = (text: string): string =>
  text.replace(UNSTORABLE_ALL, (char) => `\\u${codePoint(char).slice(2).toLowerCase()}`);

/**
 * Free text a person gives (names, references, reasons), trimmed, `min` to `max` characters.
 * Text breaking the rule above is refused naming the field, never cleaned: in single writes (400)
 * and in imports (that feature rejected) alike. The description states the rule after `about`.
 */
export const PlainText = (min: number, max: number, about?: string) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = unstorableText(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(`${about ? `${about}; ` : ''}no control characters but tab and line breaks, no lone UTF-16 surrogates`);

export const Iso3 = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 code in capitals, e.g. LAO')
  .describe('ISO 3166-1 alpha-3 country code');

/** A real calendar date, 'YYYY-MM-DD' (2023-02-30 is rejected, not rolled over). */
export const IsoDate = z
  .string()
  // abort: a string that is not a date at all gets one error, not three.
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD', abort: true })
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'is not a real calendar date')
  .refine((value) => value >= '1900-01-01', 'is before 1900');

/** A date on or before today (UTC): nothing is recorded or released in the future. */
export const PastDate = IsoDate.refine((value) => value <= todayUtc(), 'must not be in the future');

/** A record id in a path or query string. */
export const RecordId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const IdParam = z.object({ id: RecordId.describe('record id') });

export const Iso3Param = z.object({ iso3: Iso3 });

export const YearQuery = z.coerce
  .number()
  .int()
  .min(1990)
  .max(2100)
  .describe('report figures as of the end of this year (UTC); omitted = as of today');

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), feature: z.string().optional(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

export const standardErrors = {
  400: { description: 'invalid input; details name each offending field', schema: ErrorResponse },
  401: { description: 'not authenticated', schema: ErrorResponse },
  403: { description: 'role or country scope does not allow this', schema: ErrorResponse },
} as const;
