import { API, request } from '../api.js';
import type { components } from '../api-schema.generated.js';
import { type MessageKey, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { alertBox, field } from '../ui/forms.js';
import { adminErrorMessage } from './admin-organisations.js';

type ApiReport = components['schemas']['IatiImportReport'];

const REPORT_HEADINGS: MessageKey[] = [
  'admin.iati_position',
  'admin.iati_identifier',
  'admin.iati_outcome',
  'admin.iati_reason',
];

/**
 * The IATI import section: a donor's published activity file is first checked (a dry run whose
 * report lists every activity's outcome), and only then imported, the same file in one go.
 */
export class IatiImportSection {
  readonly element = h('section', { class: 'card', id: 'admin-iati', 'aria-labelledby': 'admin-iati-title' });
  private readonly input = h('input', { id: 'iati-file', type: 'file', accept: '.xml,application/xml,text/xml' });
  private readonly result = h('div', { id: 'iati-result', 'aria-live': 'polite' });
  private readonly commit = h(
    'button',
    { type: 'button', class: 'button button-primary', id: 'iati-commit', hidden: true },
    t('admin.iati_commit'),
  );

  constructor() {
    this.input.addEventListener('change', () => {
      this.commit.hidden = true;
      this.result.replaceChildren();
    });
    this.commit.addEventListener('click', () => void this.send(false));
    this.element.append(
      h('h2', { id: 'admin-iati-title' }, t('admin.iati_import')),
      h('p', { class: 'muted' }, t('admin.iati_lede')),
      h(
        'form',
        {
          class: 'task-form',
          id: 'iati-form',
          onsubmit: (event: Event) => {
            event.preventDefault();
            void this.send(true);
          },
        },
        field(t('admin.iati_file'), this.input),
        h(
          'div',
          { class: 'form-actions' },
          h('button', { type: 'submit', class: 'button', id: 'iati-check' }, t('admin.iati_check')),
          this.commit,
        ),
      ),
      this.result,
    );
  }

  /** A dry run shows the report and offers the import; the import shows what it wrote. */
  private async send(dryRun: boolean): Promise<void> {
    const file = this.input.files?.[0];
    if (!file) return;
    this.commit.hidden = true;
    try {
      const response = await request('POST', `${API}/iati/activities${dryRun ? '?dry_run=true' : ''}`, {
        body: file,
        headers: { 'content-type': 'application/xml' },
      });
      const report = (await response.json()) as ApiReport;
      this.result.replaceChildren(...this.report(report));
      this.commit.hidden = !dryRun || report.counts.created + report.counts.updated === 0;
    } catch (error) {
      this.result.replaceChildren(alertBox(adminErrorMessage(error)));
    }
  }

  private report(report: ApiReport): HTMLElement[] {
    const { counts } = report;
    const rows = report.activities.map((activity) =>
      h(
        'tr',
        { 'data-outcome': activity.outcome },
        h('td', { class: 'num' }, activity.position),
        h('td', {}, activity.iati_identifier ?? ''),
        h('td', {}, t(`admin.iati_outcome.${activity.outcome}`)),
        h('td', {}, activity.reason ?? ''),
      ),
    );
    return [
      h(
        'p',
        { role: 'status', class: report.dry_run ? '' : 'success' },
        t(report.dry_run ? 'admin.iati_checked' : 'admin.iati_done', {
          created: counts.created,
          updated: counts.updated,
          unchanged: counts.unchanged,
          skipped: counts.skipped,
        }),
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table', id: 'iati-report' },
          h('thead', {}, h('tr', {}, ...REPORT_HEADINGS.map((key) => h('th', { scope: 'col' }, t(key))))),
          h('tbody', {}, ...rows),
        ),
      ),
    ];
  }
}
