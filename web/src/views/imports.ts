import type { ApiImport } from '../api-types.js';
import { API, ApiError, fieldApi, uploadFile } from '../api.js';
import { currentLang, plainNumber, t } from '../i18n/i18n.js';
import type { AppState } from '../state.js';
import { currentUser, isAuthority } from '../session.js';
import { h } from '../ui/dom.js';
import { alertBox, field, select, writeErrorMessage } from '../ui/forms.js';
import { ImportReportTable } from './import-report.js';
import { signInPrompt } from './login.js';
import type { ViewContext, ViewController } from './view.js';

const FORMATS = ['geojson', 'shp', 'kml', 'kmz', 'gpkg', 'csv', 'xlsx'] as const;
const EXTENSIONS: Record<string, (typeof FORMATS)[number]> = {
  geojson: 'geojson',
  json: 'geojson',
  zip: 'shp',
  kml: 'kml',
  kmz: 'kmz',
  gpkg: 'gpkg',
  csv: 'csv',
  xlsx: 'xlsx',
};
const PRESETS = ['safeground', 'imsma', 'gichd_mdr'] as const;

/** Bytes as people read them (8 KB, 2 GB), in the page's language. */
function fileSize(bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  const power = Math.min(units.length - 1, Math.max(0, Math.floor(Math.log(bytes) / Math.log(1024))));
  return new Intl.NumberFormat(currentLang(), { style: 'unit', unit: units[power], maximumFractionDigits: 1 }).format(
    bytes / 1024 ** power,
  );
}

/** A refused upload in words; over a limit (413) the limit read from the answer's details, in units people use. */
function uploadErrorMessage(error: unknown, chosenBytes: number): string {
  if (error instanceof ApiError && error.status === 413) {
    const limit = Number(/\d+/.exec(error.details.map((d) => d.message ?? '').join(' '))?.[0]);
    if (error.code === 'too_many_features' && limit)
      return t('imports.too_many_features', { limit: plainNumber(limit, 0) });
    if (error.code === 'payload_too_large' && limit)
      return t('imports.too_large', { size: fileSize(chosenBytes), limit: fileSize(limit) });
  }
  return writeErrorMessage(error);
}

function progressBar(
  id: string,
  label: string,
): { element: HTMLElement; set: (share: number | null, text: string) => void } {
  const bar = h('progress', { id, max: '1', 'aria-label': label });
  const text = h('span', { class: 'progress-text' });
  return {
    element: h('div', { class: 'progress-row' }, bar, text),
    set: (share, words) => {
      if (share === null) bar.removeAttribute('value');
      else bar.value = share;
      text.textContent = words;
    },
  };
}

/**
 * /imports: choose what the file holds (hazards, or completion reports from KoboToolbox or ODK, the
 * only choice of an operator), the file, format and field mapping; upload (dry run), read the
 * report, commit with progress.
 */
export class ImportsView implements ViewController {
  constructor(private readonly context: ViewContext) {}

  async update(_state: AppState): Promise<void> {
    const { map, panel } = this.context;
    const user = currentUser();
    if (user?.country_iso3) map.showCountry(user.country_iso3);
    else map.showWorld('status');
    if (!user || !(isAuthority() || user.role === 'operator')) {
      panel.replaceChildren(
        h('h1', {}, t('imports.title')),
        signInPrompt(user ? t('imports.not_allowed') : t('imports.sign_in')),
      );
      return;
    }
    // Hazards are the authority's; an operator imports its completion reports only.
    const kinds = isAuthority() ? (['hazards', 'releases'] as const) : (['releases'] as const);
    const kind = select(
      kinds.map((k: 'hazards' | 'releases'): [string, string] => [k, t(`imports.kind_${k}`)]),
      kinds[0]!,
      { id: 'import-kind' },
    );
    const file = h('input', {
      type: 'file',
      id: 'import-file',
      required: true,
      accept: '.geojson,.json,.zip,.kml,.kmz,.gpkg,.csv,.xlsx',
    });
    const format = select(
      FORMATS.map((f) => [f, t(`imports.format_${f}`)]),
      'geojson',
      { id: 'import-format' },
    );
    const mapping = select(
      PRESETS.map((p) => [p, t(`imports.preset_${p}`)]),
      'safeground',
      { id: 'import-mapping' },
    );
    const country = h('input', {
      type: 'text',
      id: 'import-country',
      required: true,
      pattern: '[A-Za-z]{3}',
      maxlength: '3',
      value: user.country_iso3 ?? '',
      readonly: Boolean(user.country_iso3),
    });
    file.addEventListener('change', () => {
      const extension = file.files?.[0]?.name.split('.').pop()?.toLowerCase() ?? '';
      if (EXTENSIONS[extension]) format.value = EXTENSIONS[extension];
    });
    const mappingField = field(t('imports.mapping'), mapping);
    const formLink = h(
      'a',
      {
        href: `${API}/imports/forms/completion-report.xlsx`,
        download: 'completion-report.xlsx',
        id: 'import-form-link',
      },
      t('imports.form_link'),
    );
    const showKind = () => {
      mappingField.hidden = kind.value === 'releases';
      formLink.hidden = kind.value !== 'releases';
    };
    kind.addEventListener('change', showKind);
    showKind();
    const uploadProgress = progressBar('upload-progress', t('imports.upload_progress'));
    uploadProgress.element.hidden = true;
    const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
    const submit = h(
      'button',
      { type: 'submit', class: 'button button-primary', id: 'import-upload' },
      t('imports.upload'),
    );
    const form = h(
      'form',
      {
        id: 'import-form',
        class: 'task-form card',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const chosen = file.files?.[0];
          if (!chosen) return;
          submit.disabled = true;
          result.replaceChildren();
          uploadProgress.element.hidden = false;
          uploadProgress.set(0, t('imports.uploading'));
          const query = new URLSearchParams({
            country: country.value.toUpperCase(),
            kind: kind.value,
            format: format.value,
            mapping: mapping.value,
            file_name: chosen.name,
          });
          try {
            const done = await uploadFile<ApiImport>(`${API}/imports?${query}`, chosen, (share) =>
              uploadProgress.set(share, share < 1 ? t('imports.uploading') : t('imports.validating')),
            );
            uploadProgress.set(1, t('imports.validated'));
            await this.showDryRun(result, done);
          } catch (error) {
            uploadProgress.element.hidden = true;
            result.replaceChildren(alertBox(uploadErrorMessage(error, chosen.size)));
          } finally {
            submit.disabled = false;
          }
        },
      },
      field(t('imports.kind'), kind),
      formLink,
      field(t('imports.file'), file, t('imports.file_hint')),
      h('div', { class: 'field-row' }, field(t('imports.format'), format), mappingField),
      field(t('imports.country'), country),
      submit,
      uploadProgress.element,
    );
    panel.replaceChildren(
      h(
        'div',
        { id: 'imports' },
        h('h1', {}, t('imports.title')),
        h('p', { class: 'lede' }, t('imports.lede')),
        form,
        result,
      ),
    );
  }

  private async showDryRun(host: HTMLElement, done: ApiImport): Promise<void> {
    const c = done.counts;
    const summary = h(
      'dl',
      { id: 'import-summary', class: 'facts', 'data-status': done.status },
      h('dt', {}, t('imports.features')),
      h('dd', { 'data-count': 'features' }, plainNumber(c.features, 0)),
      h('dt', {}, t('imports.outcome_ok')),
      h('dd', { 'data-count': 'ok' }, plainNumber(c.ok, 0)),
      h('dt', {}, t('imports.outcome_repaired')),
      h('dd', { 'data-count': 'repaired' }, plainNumber(c.repaired, 0)),
      h('dt', {}, t('imports.outcome_rejected')),
      h('dd', { 'data-count': 'rejected' }, plainNumber(c.rejected, 0)),
    );
    const reportUrl = `${API}/imports/${done.id}/report.csv`;
    const table = new ImportReportTable();
    const commitProgress = progressBar('commit-progress', t('imports.commit_progress'));
    commitProgress.element.hidden = true;
    const outcome = h('div', { id: 'import-commit-result', 'aria-live': 'polite' });
    const accepted = c.ok + c.repaired;
    const commit = h(
      'button',
      {
        type: 'button',
        id: 'import-commit',
        class: 'button button-primary',
        disabled: done.status !== 'ready' || accepted === 0,
      },
      t('imports.commit', { count: plainNumber(accepted, 0) }),
    );
    commit.addEventListener('click', () => void this.commit(done.id, commit, commitProgress, outcome));
    host.replaceChildren(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('imports.dry_run')),
        done.error ? alertBox(done.error) : null,
        summary,
        h(
          'a',
          { href: reportUrl, download: `import-${done.id}-report.csv`, id: 'import-report-link' },
          t('imports.download_report'),
        ),
        table.element,
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('imports.commit_title')),
        h(
          'p',
          { class: 'muted' },
          t(done.kind === 'releases' ? 'imports.commit_note_releases' : 'imports.commit_note'),
        ),
        commit,
        commitProgress.element,
        outcome,
      ),
    );
    try {
      table.show(await fieldApi.importReport(done.id));
    } catch (error) {
      table.element.replaceChildren(alertBox(writeErrorMessage(error)));
    }
  }

  /** The commit is one request; GET /imports/{id} meanwhile says how far it got. */
  private async commit(
    id: number,
    button: HTMLButtonElement,
    progress: ReturnType<typeof progressBar>,
    outcome: HTMLElement,
  ): Promise<void> {
    button.disabled = true;
    progress.element.hidden = false;
    progress.set(null, t('imports.committing'));
    let finished = false;
    const poll = async () => {
      while (!finished) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        if (finished) break;
        const status = await fieldApi.importStatus(id).catch(() => null);
        if (status && !finished && status.progress.total) {
          progress.set(
            status.progress.done / status.progress.total,
            t('imports.progress', {
              done: plainNumber(status.progress.done, 0),
              total: plainNumber(status.progress.total, 0),
            }),
          );
        }
      }
    };
    void poll();
    try {
      const done = await fieldApi.commitImport(id);
      finished = true;
      this.context.map.refreshData();
      progress.set(1, t('imports.committed'));
      const r = done.committed ?? { inserted: 0, updated: 0, unchanged: 0 };
      outcome.replaceChildren(
        h(
          'p',
          {
            class: 'success',
            role: 'status',
            id: 'import-committed',
            'data-inserted': r.inserted,
            'data-updated': r.updated,
          },
          t('imports.result', {
            inserted: plainNumber(r.inserted, 0),
            updated: plainNumber(r.updated, 0),
            unchanged: plainNumber(r.unchanged, 0),
          }),
        ),
      );
    } catch (error) {
      finished = true;
      progress.element.hidden = true;
      outcome.replaceChildren(alertBox(writeErrorMessage(error)));
      button.disabled = false;
    }
  }

  destroy(): void {}
}
