import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

/**
 * A figure (a chart, a timeline) with its table alternative, shown on demand and always there for
 * screen readers.
 */
export function figureBlock(title: string, figure: HTMLElement, table: HTMLTableElement, note?: string): HTMLElement {
  // The wrapper is hidden, not the table: a table will not shrink to the 1px that hiding relies on.
  const wrapper = h('div', { class: 'table-scroll visually-hidden', id: `${table.id}-wrapper` }, table);
  const toggle = h(
    'button',
    { type: 'button', class: 'button button-quiet', 'aria-expanded': 'false', 'aria-controls': wrapper.id },
    t('chart.show_table'),
  );
  toggle.addEventListener('click', () => {
    const show = !wrapper.classList.toggle('visually-hidden');
    toggle.setAttribute('aria-expanded', String(show));
    toggle.textContent = show ? t('chart.hide_table') : t('chart.show_table');
  });
  return h(
    'section',
    { class: 'card chart-card' },
    h('div', { class: 'card-head' }, h('h2', {}, title), toggle),
    note ? h('p', { class: 'muted chart-note' }, note) : null,
    figure,
    wrapper,
  );
}

/** A chart's canvas in its block with the table alternative. */
export function chartBlock(
  title: string,
  canvasId: string,
  table: HTMLTableElement,
  note?: string,
): { block: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { id: canvasId, role: 'img', 'aria-label': title });
  return { block: figureBlock(title, h('div', { class: 'chart-box' }, canvas), table, note), canvas };
}
