import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ReportFormat } from './reports.schema.js';

// How a report answers in its three formats; shared by every report-like endpoint.

const MEDIA_TYPES: Record<ReportFormat, string> = { json: 'application/json', csv: 'text/csv', html: 'text/html' };

/** `format` wins; else the Accept header picks (a browser's text/html gets the page); else JSON. */
export function chooseFormat(req: Request, format: ReportFormat | undefined): ReportFormat {
  if (format) return format;
  const accepted = req.accepts(Object.values(MEDIA_TYPES));
  const match = (Object.keys(MEDIA_TYPES) as ReportFormat[]).find((f) => MEDIA_TYPES[f] === accepted);
  return match ?? 'json';
}

/** Sends CSV or HTML directly (defineRoute then leaves the response alone); JSON goes back as a body. */
export function send(
  res: Response,
  format: ReportFormat,
  filename: string,
  render: { csv: () => string; html: () => string },
) {
  res.setHeader('Vary', 'Accept');
  if (format === 'csv') {
    res.setHeader('Content-Disposition', `attachment; filename="${filename}.csv"`);
    res.type('text/csv; charset=utf-8').send(render.csv());
  } else {
    res.setHeader('Content-Disposition', `inline; filename="${filename}.html"`);
    // The page needs nothing but its own inline style: no script can run, whatever a value holds.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('text/html; charset=utf-8').send(render.html());
  }
}

/**
 * defineRoute documents one media type per status; the reports answer three. The CSV and HTML
 * alternatives are added to the registered 200 response so the OpenAPI document lists them.
 */
export function documentAlternatives(registry: OpenAPIRegistry, path: string) {
  for (const definition of registry.definitions) {
    if (definition.type !== 'route' || definition.route.path !== path || definition.route.method !== 'get') continue;
    const ok = definition.route.responses[200];
    if (ok && 'content' in ok && ok.content) {
      ok.content['text/csv'] = { schema: z.string().describe('RFC 4180 CSV with a header row and a section column') };
      ok.content['text/html'] = { schema: z.string().describe('standalone printable HTML page (A4)') };
    }
  }
}
