import { t, yearLabel } from '../i18n/i18n.js';
import { CURRENT_YEAR } from '../state.js';
import { debounce, h } from './dom.js';

/**
 * The year slider (#year-slider): figures and map as of the end of the chosen year; the last
 * position is today. Dragging waits for a pause before reloading, so the replay stays smooth.
 */
export function yearSlider(value: number | null, min: number, onChange: (year: number | null) => void): HTMLElement {
  const label = (year: number) =>
    year >= CURRENT_YEAR ? t('year.today') : t('year.end_of', { year: yearLabel(year) });
  const current = value ?? CURRENT_YEAR;
  const output = h('output', { for: 'year-slider', class: 'year-output' }, label(current));
  const input = h('input', {
    id: 'year-slider',
    type: 'range',
    min: Math.min(min, current),
    max: CURRENT_YEAR,
    step: 1,
    value: current,
    'aria-valuetext': label(current),
  });
  let last = current;
  const commit = () => {
    const year = Number(input.value);
    if (year === last) return;
    last = year;
    onChange(year >= CURRENT_YEAR ? null : year);
  };
  const commitSoon = debounce(commit, 350);
  input.addEventListener('input', () => {
    const text = label(Number(input.value));
    output.textContent = text;
    input.setAttribute('aria-valuetext', text);
    commitSoon();
  });
  input.addEventListener('change', commit);
  return h(
    'div',
    { class: 'year-control' },
    h('label', { for: 'year-slider', class: 'control-label' }, t('year.label')),
    h(
      'div',
      { class: 'year-row' },
      h('span', { class: 'year-bound' }, yearLabel(Math.min(min, current))),
      input,
      h('span', { class: 'year-bound' }, yearLabel(CURRENT_YEAR)),
    ),
    output,
  );
}
