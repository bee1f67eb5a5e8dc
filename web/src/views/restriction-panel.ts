import type { ApiCountryDetail } from '../api-types.js';
import { fieldApi } from '../api.js';
import { plainNumber, t } from '../i18n/i18n.js';
import { canWriteHazards } from '../session.js';
import { h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';

/** For everybody: the country shows its hazards and releases as grid cells, not exact outlines. */
export function restrictionBadge(country: ApiCountryDetail): HTMLElement | null {
  if (!country.restricted) return null;
  return h(
    'span',
    { class: 'badge badge-restricted', id: 'restricted-badge', title: t('restriction.badge_title') },
    h('span', { 'aria-hidden': 'true', class: 'badge-shape' }, '▦'),
    t('restriction.badge'),
  );
}

/**
 * The sensitive-locations switch, for the country's authority and admins: restrict the exact
 * polygons (the public then sees grid cells of the chosen size) or make them public again. Built
 * once per country and kept across the dashboard's re-renders, so the switch keeps its focus and
 * the outcome stays on screen.
 */
export class RestrictionControl {
  readonly element = h('div', { id: 'restriction-control' });
  private built: { iso3: string; toggle: HTMLInputElement; cellKm: HTMLInputElement } | null = null;

  /** `changed`: after a switch, the dashboard and tiles reload. */
  constructor(private readonly changed: () => void) {}

  update(country: ApiCountryDetail): HTMLElement {
    if (!canWriteHazards(country.iso3)) {
      this.built = null;
      this.element.replaceChildren();
    } else {
      if (this.built?.iso3 !== country.iso3) this.built = { iso3: country.iso3, ...this.build(country.iso3) };
      this.built.toggle.checked = country.restricted;
      this.built.cellKm.value = String(country.restriction_cell_km);
    }
    return this.element;
  }

  private build(iso3: string): { toggle: HTMLInputElement; cellKm: HTMLInputElement } {
    const toggle = h('input', {
      type: 'checkbox',
      role: 'switch',
      id: 'restriction-switch',
      'aria-describedby': 'restriction-explained',
    });
    const cellKm = h('input', {
      type: 'number',
      id: 'restriction-cell-km',
      min: '1',
      max: '100',
      step: '1',
      inputmode: 'numeric',
    });
    const status = h('div', { 'aria-live': 'polite', id: 'restriction-status' });
    const apply = async () => {
      const size = Number(cellKm.value);
      if (!Number.isFinite(size) || size < 1 || size > 100) {
        status.replaceChildren(alertBox(t('restriction.cell_invalid')));
        return;
      }
      // Disabling the switch while the server answers takes its focus away: give it back after.
      const focused = document.activeElement === toggle;
      toggle.disabled = true;
      try {
        const now = await fieldApi.setRestriction(iso3, toggle.checked, size);
        status.replaceChildren(
          h(
            'p',
            { class: 'success', role: 'status', 'data-restricted': String(now.restricted) },
            now.restricted
              ? t('restriction.now_restricted', { cell: plainNumber(now.cell_km, 1) })
              : t('restriction.now_public'),
          ),
        );
        this.changed();
      } catch (error) {
        toggle.checked = !toggle.checked;
        status.replaceChildren(alertBox(writeErrorMessage(error)));
      } finally {
        toggle.disabled = false;
        if (focused) toggle.focus();
      }
    };
    toggle.addEventListener('change', () => void apply());
    // A new cell size takes effect at once while restricted; otherwise with the next switch.
    cellKm.addEventListener('change', () => toggle.checked && void apply());
    this.element.replaceChildren(
      h(
        'section',
        { class: 'card restriction', id: 'restriction', 'aria-labelledby': 'restriction-title' },
        h('h2', { id: 'restriction-title' }, t('restriction.title')),
        h('label', { class: 'switch', for: 'restriction-switch' }, toggle, h('span', {}, t('restriction.switch'))),
        h('p', { class: 'muted', id: 'restriction-explained' }, t('restriction.explained')),
        field(t('restriction.cell_km'), cellKm, t('restriction.cell_hint')),
        status,
      ),
    );
    return { toggle, cellKm };
  }
}
