import type { ApiTask } from '../api-types.js';
import { operatorColour } from '../map/palette.js';
import { h } from './dom.js';

/**
 * Fills the map legend (#legend): a disclosure so that on a phone it can fold away from the map
 * (folded there at first), open beside the map on wider screens.
 */
export function setLegend(legend: HTMLElement, title: string, ...content: HTMLElement[]): void {
  const open = window.matchMedia('(min-width: 801px)').matches;
  legend.replaceChildren(h('details', { open }, h('summary', { class: 'legend-title' }, title), ...content));
}

/** One legend entry: a colour swatch (pale for the lighter variant, a shape for colour-blind readers) and its label. */
export function legendItem(
  colour: string,
  label: string,
  options: { pale?: boolean; shape?: string } = {},
): HTMLElement {
  return h(
    'li',
    {},
    h(
      'span',
      { class: options.pale ? 'swatch swatch-pale' : 'swatch', style: `background:${colour}`, 'aria-hidden': 'true' },
      options.shape,
    ),
    label,
  );
}

/** The operators of these tasks, each with the colour its tasks have on the map (coloured by operator). */
export function operatorItems(tasks: ApiTask[]): HTMLElement {
  const operators = new Map(tasks.map((task) => [task.properties.organisation.id, task.properties.organisation]));
  return h(
    'ul',
    { class: 'legend-items' },
    ...[...operators.values()].map((o) => legendItem(operatorColour(o.id), o.acronym ?? o.name, { pale: true })),
  );
}
