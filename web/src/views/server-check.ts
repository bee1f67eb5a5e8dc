import { km2, t } from '../i18n/i18n.js';
import { debounce, h } from '../ui/dom.js';
import { alertBox, writeErrorMessage } from '../ui/forms.js';

/** The figures the server gives back for a polygon it checked or saved. */
export interface CheckedFigures {
  area_m2: number;
  /** Releases only: what lay outside the hazard and was cut off. */
  clipped_m2?: number;
  warnings: string[];
}

/** The server's verdict on a polygon: its official area, what was cut off (releases), its warnings. */
export function checkResult(figures: CheckedFigures): HTMLElement {
  const fact = (term: string, m2: number) => [h('dt', {}, term), h('dd', { 'data-value': m2 }, km2(m2 / 1e6))];
  return h(
    'div',
    { class: 'check-result' },
    h(
      'dl',
      { class: 'facts' },
      ...fact(t('field.server_area'), figures.area_m2),
      ...(figures.clipped_m2 === undefined ? [] : fact(t('field.clipped_area'), figures.clipped_m2)),
    ),
    figures.warnings.length
      ? h(
          'ul',
          { class: 'warnings', 'aria-label': t('field.warnings') },
          ...figures.warnings.map((w) => h('li', { lang: 'en', dir: 'ltr' }, w)),
        )
      : h('p', { class: 'muted' }, t('field.no_warnings')),
  );
}

export interface LiveCheck<C> {
  /** Call on every change of the form or the polygon: Save waits for the next check. */
  changed: () => void;
  /**
   * The form's submit handler: `save` gets the checked candidate, with the submit button disabled
   * (a failed save decides whether to enable it again). Nothing happens before a passed check.
   */
  onSubmit: (save: (candidate: C) => Promise<void>) => (event: Event) => Promise<void>;
}

/**
 * The server's dry run as the user goes: shortly after the last change the candidate is sent with
 * ?dry_run=true and the answer shown in `host`. `submit` is enabled only while the answer shown is
 * for what the form holds now, so saving sends exactly what was checked.
 */
export function liveCheck<C, R = { properties: CheckedFigures }>(options: {
  host: HTMLElement;
  submit: HTMLButtonElement;
  candidate: () => C | null;
  dryRun: (candidate: C) => Promise<R>;
  /** The accepted answer in words (default: the polygon's figures and warnings). */
  show?: (result: R) => Node;
  /** What to say while there is nothing to check (default: nothing). */
  idle?: () => Node;
  /** A refused check in words (default: the server's message). */
  failed?: (error: unknown) => Node;
  /** The server accepted the candidate (e.g. to unmark the fields a refusal named). */
  passed?: () => void;
}): LiveCheck<C> {
  const { host, submit } = options;
  let checkedKey: string | null = null;
  const keyNow = () => JSON.stringify(options.candidate());

  const run = async () => {
    const candidate = options.candidate();
    checkedKey = null;
    submit.disabled = true;
    if (candidate === null) return host.replaceChildren(...(options.idle ? [options.idle()] : []));
    const key = JSON.stringify(candidate);
    host.replaceChildren(h('p', { class: 'muted' }, t('field.checking')));
    try {
      const result = await options.dryRun(candidate);
      // The form changed while the server was checking: the next check will speak for it.
      if (keyNow() !== key) return;
      host.replaceChildren(
        h('h3', {}, t('field.server_check')),
        options.show ? options.show(result) : checkResult((result as { properties: CheckedFigures }).properties),
      );
      checkedKey = key;
      submit.disabled = false;
      options.passed?.();
    } catch (error) {
      if (keyNow() === key)
        host.replaceChildren(options.failed ? options.failed(error) : alertBox(writeErrorMessage(error)));
    }
  };
  const runSoon = debounce(() => void run(), 400);
  /** The form's candidate if the server has checked exactly it and accepted it, else null. */
  const checked = () => {
    const candidate = options.candidate();
    return candidate !== null && JSON.stringify(candidate) === checkedKey ? candidate : null;
  };
  return {
    changed: () => {
      checkedKey = null;
      submit.disabled = true;
      runSoon();
    },
    onSubmit: (save) => async (event) => {
      event.preventDefault();
      const candidate = checked();
      if (!candidate) return;
      submit.disabled = true;
      await save(candidate);
    },
  };
}
