import { t } from '../i18n/i18n.js';

/** How a hazard is named everywhere (popup, tasks, review): its national reference, else its name, else its number. */
export const hazardLabel = (hazard: { id: number; external_ref: string | null; name: string | null }): string =>
  hazard.external_ref ?? hazard.name ?? t('field.hazard_id', { id: hazard.id });

/** A field's value in a list of changes (history, edit conflicts): lists joined, nothing as a dash. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
