import { area } from '@turf/turf';
import { ApiError } from '../api.js';
import { km2, t } from '../i18n/i18n.js';
import { h } from './dom.js';
import { errorMessage } from './status.js';

let fieldCounter = 0;

/** A labelled form control (the label names the control for screen readers). */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  if (!control.id) control.id = `field-${++fieldCounter}`;
  const hintElement = hint ? h('span', { class: 'field-hint', id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id, class: 'control-label' }, label),
    control,
    hintElement,
  );
}

export function select(
  options: [string, string][],
  value: string,
  attrs: Record<string, string> = {},
): HTMLSelectElement {
  const element = h(
    'select',
    attrs,
    ...options.map(([optionValue, label]) => h('option', { value: optionValue }, label)),
  );
  element.value = value;
  return element;
}

/** A write's failure in words: the server's reason and the fields it names, not just a status. */
export function writeErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return errorMessage(error);
  const details = error.details.map((d) => d.message).filter(Boolean);
  return [error.serverMessage, ...details].join(' — ');
}

export function alertBox(message: string): HTMLElement {
  return h('p', { class: 'alert inline-alert', role: 'alert' }, message);
}

/** A form's controls by the name the API gives their field (properties.<name>, or geometry). */
export type FieldControls = Record<string, { control: HTMLElement; label: string }>;

/** Takes the marks of a refused write off the fields (the next check passed). */
export function clearFieldErrors(controls: FieldControls): void {
  for (const { control } of Object.values(controls)) control.removeAttribute('aria-invalid');
}

/** The field a detail's path names: body.properties.recorded_on → recorded_on; body.geometry.coordinates.0 → geometry. */
export function fieldOf(path = ''): string | undefined {
  const parts = path.split('.').filter((part) => part !== 'body');
  return parts[0] === 'properties' ? parts[1] : parts[0];
}

/**
 * A refused write, with the fields the API's error details name marked invalid and listed by their
 * labels (the API says `body.properties.recorded_on`; the user reads "Recorded: …").
 */
export function fieldErrorBox(error: unknown, controls: FieldControls): HTMLElement {
  clearFieldErrors(controls);
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500 || error.details.length === 0)
    return alertBox(writeErrorMessage(error));
  const items = error.details.map((detail) => {
    const name = fieldOf(detail.path);
    const named = name ? controls[name] : undefined;
    named?.control.setAttribute('aria-invalid', 'true');
    return h(
      'li',
      { 'data-field': name ?? '' },
      named ? `${named.label}: ` : detail.path ? `${detail.path}: ` : '',
      h('span', { lang: 'en', dir: 'ltr' }, detail.message ?? ''),
    );
  });
  return h(
    'div',
    { class: 'alert inline-alert', role: 'alert' },
    h('p', {}, t('field.refused')),
    h('ul', { class: 'field-errors' }, ...items),
  );
}

/** The live area of a drawn polygon, clearly marked as not the official figure. */
export function areaPreview(polygon: GeoJSON.Polygon | null): string {
  if (!polygon) return t('field.area_none');
  return t('field.area_preview', { value: km2(area(polygon) / 1e6) });
}

/**
 * Typed corners, one "longitude latitude" (or "longitude, latitude") pair a line, or a GeoJSON
 * Polygon: the keyboard's way to give a polygon. The ring is closed if it is not.
 */
export function parseCoordinates(text: string): GeoJSON.Polygon | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { type?: string; geometry?: GeoJSON.Geometry; coordinates?: unknown };
      const geometry = parsed.type === 'Feature' ? parsed.geometry : (parsed as GeoJSON.Geometry);
      return geometry?.type === 'Polygon' ? geometry : null;
    } catch {
      return null;
    }
  }
  const ring = trimmed
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(/[\s,;]+/).map(Number));
  if (ring.length < 3 || ring.some((pair) => pair.length !== 2 || pair.some((n) => !Number.isFinite(n)))) return null;
  if (ring.some(([lng, lat]) => Math.abs(lng!) > 180 || Math.abs(lat!) > 90)) return null;
  const [first, last] = [ring[0]!, ring[ring.length - 1]!];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([...first]);
  return ring.length >= 4 ? { type: 'Polygon', coordinates: [ring] } : null;
}

/** Today in ISO form (the default completion date). */
export const today = (): string => new Date().toISOString().slice(0, 10);
