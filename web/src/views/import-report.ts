import { plainNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

const PAGE = 50;

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

type Outcome = 'all' | 'ok' | 'repaired' | 'rejected';

/** The per-feature dry-run report: filter by outcome, a page at a time. */
export class ImportReportTable {
  readonly element = h('div', { id: 'import-report' });
  private rows: Record<string, string>[] = [];
  private filter: Outcome = 'all';
  private page = 0;

  show(csv: string): void {
    const [header = [], ...body] = parseCsv(csv);
    this.rows = body
      .filter((cells) => cells.length > 1)
      .map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
    this.filter = this.rows.some((r) => r.outcome === 'rejected') ? 'rejected' : 'all';
    this.page = 0;
    this.render();
  }

  private render(): void {
    const rows = this.filter === 'all' ? this.rows : this.rows.filter((r) => r.outcome === this.filter);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    this.page = Math.min(this.page, pages - 1);
    const shown = rows.slice(this.page * PAGE, (this.page + 1) * PAGE);
    const filter = h(
      'select',
      {
        id: 'import-report-filter',
        onchange: (event: Event) => (
          (this.filter = (event.target as HTMLSelectElement).value as Outcome),
          (this.page = 0),
          this.render()
        ),
      },
      ...(['all', 'ok', 'repaired', 'rejected'] as const).map((o) =>
        h('option', { value: o }, t(`imports.outcome_${o}`)),
      ),
    );
    filter.value = this.filter;
    const pager = (delta: number, label: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'button button-small',
          disabled: this.page + delta < 0 || this.page + delta >= pages,
          onclick: () => ((this.page += delta), this.render()),
        },
        label,
      );
    this.element.replaceChildren(
      h(
        'div',
        { class: 'control-row' },
        h('label', { class: 'control' }, h('span', { class: 'control-label' }, t('imports.show')), filter),
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table', id: 'import-report-table' },
          h('caption', { class: 'visually-hidden' }, t('imports.report_caption')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['imports.col_feature', 'imports.col_ref', 'imports.col_outcome', 'imports.col_reason'].map((key) =>
                h('th', { scope: 'col' }, t(key as 'imports.col_feature')),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...shown.map((r) =>
              h(
                'tr',
                { 'data-outcome': r.outcome ?? '' },
                h('td', { class: 'num' }, r.feature ?? ''),
                h('td', {}, r.external_ref ?? ''),
                h('td', {}, t(`imports.outcome_${(r.outcome ?? 'ok') as Outcome}`)),
                h('td', { lang: 'en', dir: 'ltr' }, r.reason ?? ''),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'pager' },
        pager(-1, t('imports.previous')),
        h(
          'span',
          {},
          t('imports.page', {
            page: plainNumber(this.page + 1, 0),
            pages: plainNumber(pages, 0),
            rows: plainNumber(rows.length, 0),
          }),
        ),
        pager(1, t('imports.next')),
      ),
    );
  }
}
