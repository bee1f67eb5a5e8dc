import type { Response } from 'express';
import { escapeHtml } from '../http/html.js';
import { writeOrStop } from '../http/stream-write.js';
import type { ItemsWriter } from './ogc.items.js';
import type { OgcFeature } from './ogc.model.js';

// The HTML views of the OGC API: plain pages with the same content and links as the JSON, every
// value escaped. Meant for a person finding their way around; GIS clients read the JSON.

interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

const head = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} – Safeground OGC API</title></head><body>` +
  `<p><a href="/ogc?f=html">Safeground OGC API – Features</a></p><h1>${escapeHtml(title)}</h1>`;

const linkList = (links: Link[]) =>
  `<ul>${links.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.title ?? l.rel)}</a> (${escapeHtml(l.rel)}${l.type ? `, ${escapeHtml(l.type)}` : ''})</li>`).join('')}</ul>`;

const cell = (value: unknown) =>
  escapeHtml(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);

/** A page of text and links (landing page, conformance, collections, one collection). */
export function sendPage(
  res: Response,
  title: string,
  body: { text?: string; items?: string[]; links?: Link[] },
): void {
  const items = body.items ? `<ul>${body.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
  const text = body.text ? `<p>${escapeHtml(body.text)}</p>` : '';
  res
    .status(200)
    .type('html')
    .send(`${head(title)}${text}${items}${body.links ? linkList(body.links) : ''}</body></html>`);
}

function featureRow(feature: OgcFeature, itemHref: (id: string) => string): string {
  const properties = Object.entries(feature.properties as Record<string, unknown>);
  const list = properties.map(([k, v]) => `${escapeHtml(k)}: ${cell(v)}`).join('; ');
  return `<tr><td><a href="${escapeHtml(itemHref(String(feature.id)))}">${escapeHtml(feature.id)}</a></td><td>${list}</td></tr>`;
}

/** The items page as an HTML table, written as the chunks arrive like the GeoJSON. */
export function htmlWriter(
  res: Response,
  title: string,
  itemHref: (id: string) => string,
  links: (next: string | undefined) => Link[],
): ItemsWriter {
  return {
    start: () => {
      res.status(200).type('html');
      return writeOrStop(res, `${head(title)}<table><thead><tr><th>id</th><th>properties</th></tr></thead><tbody>`);
    },
    features: (features) => writeOrStop(res, features.map((f) => featureRow(f, itemHref)).join('')),
    end: async (count, next) => {
      res.end(`</tbody></table><p>${count} features.</p>${linkList(links(next))}</body></html>`);
    },
  };
}

/** One feature: its properties and its geometry as GeoJSON text. */
export function sendFeature(res: Response, feature: OgcFeature, links: Link[]): void {
  const rows = Object.entries(feature.properties as Record<string, unknown>)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`)
    .join('');
  res
    .status(200)
    .type('html')
    .send(
      `${head(`Feature ${feature.id}`)}<table>${rows}</table><h2>geometry</h2><pre>${cell(feature.geometry)}</pre>${linkList(links)}</body></html>`,
    );
}
