import { type RequestHandler, Router } from 'express';
import type { Db } from '../db/pool.js';
import { listCountries } from '../countries/countries.service.js';
import { resolveAsOf } from '../area/as-of.js';
import { API_BASE } from '../http/api-base.js';
import { escapeHtml } from '../http/html.js';

const km2 = (value: number) => value.toLocaleString('en', { maximumFractionDigits: 2 });

const DEMO_NOTE = `<p class="note"><strong>Demo data:</strong> the hazards and releases below are synthetic,
generated inside real country boundaries. They are not real contamination figures.</p>`;

export const SUMMARY_PATH = '/summary';

/**
 * A plain table of the national figures with links to the JSON API, readable without JavaScript:
 * the alternative to the interactive map (web/), and the front page while the map is not built.
 * `note` is shown above the table.
 */
export function summaryPage(db: Db, thinShare: number, note?: string): RequestHandler {
  return async (_req, res) => {
    const countries = (await listCountries(db, resolveAsOf({}), thinShare)).filter((c) => c.hazard_count > 0);
    const synthetic = countries.some((c) => c.synthetic_data);
    const thin =
      ' <small title="polygons cover under the configured share of the nationally reported area">(thin coverage)</small>';
    const rows = countries
      .map((c) => {
        const link = `<a href="${API_BASE}/countries/${c.iso3}">${escapeHtml(c.name)}</a>`;
        const cells = [
          km2(c.remaining_km2),
          km2(c.released_km2.cancelled),
          km2(c.released_km2.reduced),
          km2(c.released_km2.cleared),
          `${c.hazard_count}${c.coverage.thin ? thin : ''}`,
          c.deadlines.ccm ?? '–',
          c.deadlines.apmbc ?? '–',
        ];
        const demo = c.synthetic_data ? ' <small>(demo)</small>' : '';
        return `<tr><td>${link}${demo}</td>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
      })
      .join('\n');
    const headers = [
      'Country',
      'Remaining',
      'Cancelled',
      'Reduced',
      'Cleared',
      'Hazards',
      'CCM deadline',
      'APMBC deadline',
    ];
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safeground</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}.note{background:#fff4ce;padding:.5rem .8rem;border-radius:4px}</style></head>
<body><h1>Safeground</h1>
${note ? `<p class="note">${escapeHtml(note)}</p>` : '<p><a href="/">Interactive map</a></p>'}
<p>Contaminated area remaining and land released per country (km², geodesic, overlaps counted once, approved releases only).</p>
${synthetic ? DEMO_NOTE : ''}
<table><caption hidden>Remaining and released area by country</caption>
<thead><tr>${headers.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>${rows || '<tr><td colspan="8">No hazards recorded yet.</td></tr>'}</tbody></table>
<p>API: <a href="${API_BASE}/countries">${API_BASE}/countries</a> ·
<a href="${API_BASE}/openapi.json">OpenAPI document</a> · <a href="/healthz">health</a></p>
</body></html>`);
  };
}

export function homeRoutes(db: Db, thinShare: number): Router {
  const router = Router();
  router.get(SUMMARY_PATH, summaryPage(db, thinShare));
  return router;
}
