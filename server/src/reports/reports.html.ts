import { escapeHtml } from '../http/html.js';
import type { Article7ReportOut, DeviceCounts, ExtensionAnnexOut } from './reports.schema.js';

// Printable pages built from template strings. Every value goes through esc() or a number
// formatter: hazard names, operators and references are user input.

const esc = escapeHtml;

/** A number cell: grouped digits for reading, the exact value in data-value for machines. */
function num(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined) return '<td class="num">–</td>';
  const shown = value.toLocaleString('en', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `<td class="num" data-value="${esc(value)}">${esc(shown)}</td>`;
}
export const km2Cell = (value: number | null | undefined) => num(value, 6);
export const m2Cell = (value: number | null | undefined) => num(value, 0);
export const intCell = (value: number | null | undefined) => num(value, 0);
export const textCell = (value: unknown) =>
  `<td>${value === null || value === undefined || value === '' ? '–' : esc(value)}</td>`;

export function table(caption: string, columns: string[], rows: string[][], empty = 'None.'): string {
  const head = columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = rows.length
    ? rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n')
    : `<tr><td colspan="${columns.length}">${esc(empty)}</td></tr>`;
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A two-column table of labelled figures, the label as row header. */
export function facts(caption: string, rows: Array<[label: string, cell: string]>): string {
  const body = rows.map(([label, cell]) => `<tr><th scope="row">${esc(label)}</th>${cell}</tr>`).join('\n');
  return `<table class="facts"><caption>${esc(caption)}</caption><tbody>\n${body}\n</tbody></table>`;
}

export const devicesText = (devices: DeviceCounts) =>
  Object.entries(devices)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${type}: ${count}`)
    .join(', ');

const STYLE = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 system-ui, "Segoe UI", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 200mm; padding: 1rem; }
h1 { font-size: 15pt; margin: 0 0 .2em; } h2 { font-size: 12pt; margin: 1.4em 0 .4em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1em; font-size: 8.5pt; }
caption { text-align: left; font-weight: 600; padding: .3em 0; caption-side: top; }
th, td { border: 1px solid #888; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eee; } .facts th { text-align: left; font-weight: normal; width: 45%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead { display: table-header-group; } tr { break-inside: avoid; }
.notes { font-size: 8.5pt; } .warning { border: 2px solid #b00; padding: .3em .6em; font-weight: 600; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }`;

export function page(title: string, report: Article7ReportOut | ExtensionAnnexOut, content: string): string {
  const warnings = [
    report.synthetic_data ? 'Demo data: synthetic hazards, not real contamination figures.' : '',
    report.coverage_thin ? 'Thin coverage: the polygons cover a small share of the nationally reported area.' : '',
  ].filter(Boolean);
  return printablePage(
    title,
    warnings,
    [
      ['Country', textCell(`${report.country} (${report.iso3})`)],
      ['Treaty', textCell(`${report.treaty} Article ${report.article} (${report.contamination})`)],
      ...('period' in report
        ? [['Reporting period', textCell(`${report.period.start} to ${report.period.end}`)] as [string, string]]
        : []),
      ['Figures as of', textCell(report.as_of)],
      ['Generated at', textCell(report.generated_at)],
      ['Data source', textCell(report.data_source)],
    ],
    report.notes,
    content,
  );
}

/** A standalone A4 page: title, warnings, a table of facts about the report, the content, then notes. */
export function printablePage(
  title: string,
  warnings: string[],
  about: Array<[label: string, cell: string]>,
  notes: string[],
  content: string,
): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${esc(title)}</h1>
${warnings.map((w) => `<p class="warning">${esc(w)}</p>`).join('\n')}
${facts('Report', about)}</header>
<main>
${content}
<h2>Notes</h2>
<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('\n')}</ul>
</main>
</body></html>
`;
}

const STATUS_SOURCE = {
  polygons: 'from the polygon figures',
  reported: 'from the nationally reported figure',
  none: 'no figures',
} as const;

const requestText = (p: NonNullable<ExtensionAnnexOut['pending_extension']>) =>
  `${p.requested_deadline ? `to ${p.requested_deadline}` : 'new date not seen'}, decision due at the ${p.meeting_name}: ` +
  `${p.decision}${p.verified ? '' : ' (unverified)'}`;

export function deadlineFacts(r: Article7ReportOut['summary'] | ExtensionAnnexOut): Array<[string, string]> {
  return [
    ['Entry into force', textCell(r.entry_into_force)],
    ['Original deadline', textCell(r.original_deadline)],
    ['Extensions granted', textCell(r.extensions.map((e) => `${e.meeting}: ${e.new_deadline}`).join('; '))],
    ['Current deadline', textCell(r.current_deadline)],
    ...(r.pending_extension
      ? [['Extension requested', textCell(requestText(r.pending_extension))] as [string, string]]
      : []),
    [
      'Obligation row',
      textCell(r.verified ? 'verified against a cited source' : 'UNVERIFIED: recalled, awaiting confirmation'),
    ],
    ['Status', textCell(`${r.status.replace(/_/g, ' ')} (${STATUS_SOURCE[r.status_source]})`)],
    ...(r.status_detail ? [['Status detail', textCell(r.status_detail)] as [string, string]] : []),
  ];
}

export function article7Html(r: Article7ReportOut): string {
  const { summary: s } = r;
  const title = `${r.treaty} Article 7 report ${r.year}: ${r.country}`;
  const hazards = table(
    `A. Contaminated areas at ${r.period.end} (${r.contaminated_areas.hazards.length} hazards)`,
    [
      'Reference',
      'Name',
      'Province',
      'Point (lng, lat)',
      'Class',
      'Contamination',
      'Recorded',
      'Remaining m²',
      'Remaining km²',
    ],
    r.contaminated_areas.hazards.map((h) => [
      textCell(h.reference),
      textCell(h.name),
      textCell(h.province ? `${h.province.name} (${h.province.code})` : null),
      textCell(`${h.centroid.lng.toFixed(5)}, ${h.centroid.lat.toFixed(5)}`),
      textCell(h.classification),
      textCell(h.contamination.join(', ')),
      textCell(h.recorded_on),
      m2Cell(h.size_m2),
      km2Cell(h.size_km2),
    ]),
    'No contaminated area remained.',
  );
  const releases = table(
    `B. Areas released in ${r.year}`,
    ['Reference', 'Hazard', 'Method', 'Operator', 'Started', 'Completed', 'Area m²', 'Area km²', 'Devices destroyed'],
    r.released_areas.releases.map((x) => [
      textCell(x.reference),
      textCell(x.hazard_reference),
      textCell(x.method),
      textCell(x.operator),
      textCell(x.start_on),
      textCell(x.completed_on),
      m2Cell(x.area_m2),
      km2Cell(x.area_km2),
      textCell(devicesText(x.devices)),
    ]),
    'No area was released.',
  );
  const byMethod = table(
    `B. Totals by method, ${r.year}`,
    ['Method', 'Releases', 'Listed km²', 'Net km² (counted once)', 'Devices destroyed'],
    r.released_areas.by_method.map((m) => [
      textCell(m.method),
      intCell(m.releases),
      km2Cell(m.listed_area_km2),
      km2Cell(m.net_released_km2),
      textCell(devicesText(m.devices)),
    ]),
  );
  const devices = table(
    `C. Devices destroyed in ${r.year}`,
    ['Device type', 'Number'],
    Object.entries(r.devices_destroyed).map(([type, count]) => [textCell(type), intCell(count)]),
  );
  const summary = facts(`D. Remaining area and deadline`, [
    [`Remaining at ${r.year - 1}-12-31 (km²)`, km2Cell(s.baseline_km2)],
    ['Newly found (km²)', km2Cell(s.newly_found_km2)],
    ['Cancelled (km²)', km2Cell(s.cancelled_km2)],
    ['Reduced (km²)', km2Cell(s.reduced_km2)],
    ['Cleared (km²)', km2Cell(s.cleared_km2)],
    ['Released in total (km²)', km2Cell(s.released_km2)],
    [`Remaining at ${r.period.end} (km², overlaps counted once)`, km2Cell(s.remaining_km2)],
    ['Sum of listed hazard sizes (km², not the remaining area)', km2Cell(r.contaminated_areas.sum_of_sizes_km2)],
    ...deadlineFacts(s),
  ]);
  return page(title, r, [hazards, releases, byMethod, devices, summary].join('\n'));
}

export function extensionHtml(a: ExtensionAnnexOut): string {
  const title = `${a.treaty} Article ${a.article} extension request annex: ${a.country}`;
  const released = a.released_km2;
  const figures = facts('Quantitative information', [
    [`Contaminated at entry into force, ${a.entry_into_force} (km²)`, km2Cell(a.baseline_km2)],
    ['Found since entry into force (km²)', km2Cell(a.newly_found_km2)],
    ['Cancelled since (km²)', km2Cell(released?.cancelled)],
    ['Reduced since (km²)', km2Cell(released?.reduced)],
    ['Cleared since (km²)', km2Cell(released?.cleared)],
    ['Released since in total (km²)', km2Cell(released?.total)],
    [`Remaining at ${a.as_of} (km²)`, km2Cell(a.remaining_km2)],
    ['Figures from', textCell(a.figures_source)],
  ]);
  const plan = facts('Projection and requested deadline', [
    [`Release rate, average of ${a.rate_years.join(', ') || 'no year'} (km²/year)`, km2Cell(a.rate_km2_per_year)],
    ['Projected from', textCell(a.projected_from)],
    ['Projected completion at that rate', textCell(a.projected_completion)],
    ['Rate required to meet the current deadline (km²/year)', km2Cell(a.required_rate_km2_per_year)],
    ['Years needed beyond the current deadline', num(a.extension_years_needed, 2)],
    [`Requests of at most ${a.max_extension_years} years needed`, intCell(a.extension_requests_needed)],
    [
      'Requested new deadline',
      textCell(a.requested.deadline ? `${a.requested.deadline} (${a.requested.basis})` : null),
    ],
    ['Extension requested (years)', num(a.requested.extension_years, 2)],
    [
      'Covers the projected completion',
      textCell(
        a.requested.covers_projected_completion === null
          ? null
          : a.requested.covers_projected_completion
            ? 'yes'
            : 'no',
      ),
    ],
    ...deadlineFacts(a),
  ]);
  const annual = table(
    'Annual land release since entry into force (km², polygon-derived)',
    ['Year', 'Newly found', 'Cancelled', 'Reduced', 'Cleared', 'Released', 'Remaining at year end'],
    a.annual.map((y) => [
      textCell(y.year),
      km2Cell(y.newly_found_km2),
      km2Cell(y.cancelled_km2),
      km2Cell(y.reduced_km2),
      km2Cell(y.cleared_km2),
      km2Cell(y.released_km2),
      km2Cell(y.remaining_km2),
    ]),
  );
  const wp = a.work_plan;
  const workPlan = wp
    ? table(
        `Annual work plan: ${wp.name} (plan ${wp.plan_id}, scope ${wp.scope}, from ${wp.start_on}, completion ${wp.completion_on ?? 'not within the horizon'}) (km² to release)`,
        ['Year', 'Cancelled', 'Reduced', 'Cleared', 'Released'],
        wp.years.map((y) => [
          textCell(y.year),
          km2Cell(y.cancelled_km2),
          km2Cell(y.reduced_km2),
          km2Cell(y.cleared_km2),
          km2Cell(y.released_km2),
        ]),
      )
    : '';
  return page(title, a, [figures, annual, plan, workPlan].filter(Boolean).join('\n'));
}
