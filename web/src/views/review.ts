import type { ApiReleaseFeature } from '../api-types.js';
import { api, fieldApi } from '../api.js';
import { countryName, date, t } from '../i18n/i18n.js';
import { MapOverlay, OVERLAY_COLOURS, boundsOf } from '../map/overlay.js';
import type { AppState } from '../state.js';
import { currentUser, isAuthority } from '../session.js';
import { h } from '../ui/dom.js';
import { alertBox, field, writeErrorMessage } from '../ui/forms.js';
import { legendItem, setLegend } from '../ui/legend.js';
import { hazardLabel } from '../ui/format.js';
import { checkResult } from './server-check.js';
import { signInPrompt } from './login.js';
import { TaskQueue } from './review-tasks.js';
import type { ViewContext, ViewController } from './view.js';

/**
 * The authority's review queue: submitted releases of its country, each compared on the map with
 * its hazard and the releases already approved there, then approved or rejected with a reason.
 */
export class ReviewView implements ViewController {
  private readonly overlay: MapOverlay;
  private queue: ApiReleaseFeature[] = [];
  private selected: number | null = null;
  private countryName: string | null = null;
  private readonly tasks: TaskQueue;

  constructor(private readonly context: ViewContext) {
    this.overlay = new MapOverlay(context.map.map);
    this.tasks = new TaskQueue(context.map, this.overlay);
  }

  async update(state: AppState): Promise<void> {
    const { map, panel } = this.context;
    map.setParams({ treaty: state.treaty, year: null });
    const user = currentUser();
    if (!user || !isAuthority()) {
      map.showWorld('status');
      panel.replaceChildren(
        h('h1', {}, t('review.title')),
        signInPrompt(user ? t('review.not_allowed') : t('review.sign_in')),
      );
      return;
    }
    const iso3 = user.country_iso3;
    if (iso3) {
      map.showCountry(iso3);
      if (!this.selected) void map.frameCountry(iso3);
    }
    this.legend();
    if (iso3) this.countryName = (await api.country(iso3, '').catch(() => null))?.name ?? null;
    const [page] = await Promise.all([
      fieldApi.releases(`status=submitted&limit=200${iso3 ? `&country=${iso3}` : ''}`),
      this.tasks.load(iso3),
    ]);
    this.queue = page.features;
    if (!this.queue.some((r) => r.id === this.selected)) this.selected = null;
    this.render(iso3);
    if (this.selected) await this.compare(this.selected);
  }

  private legend(): void {
    setLegend(
      this.context.legend,
      t('legend.title_country'),
      h(
        'ul',
        { class: 'legend-items' },
        legendItem(OVERLAY_COLOURS.hazard, t('review.legend_hazard')),
        legendItem(OVERLAY_COLOURS.approved, t('review.legend_approved')),
        legendItem(OVERLAY_COLOURS.submitted, t('review.legend_submitted')),
      ),
    );
  }

  private render(iso3: string | null): void {
    const list = h(
      'ul',
      { id: 'review-queue', class: 'review-queue', 'aria-label': t('review.queue_label') },
      ...this.queue.map((release) => {
        const p = release.properties;
        return h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'queue-item',
              'data-release-id': release.id,
              'aria-pressed': String(release.id === this.selected),
              onclick: () => void this.select(release.id),
            },
            h('strong', {}, t('review.item', { id: release.id, hazard: p.hazard_id })),
            h('span', {}, t(`method.${p.method}`), ' · ', date(p.completed_on)),
          ),
        );
      }),
    );
    this.context.panel.replaceChildren(
      h(
        'div',
        { id: 'review' },
        h('h1', {}, t('review.title')),
        h(
          'p',
          { class: 'lede' },
          iso3
            ? t('review.lede_country', { country: countryName(iso3, this.countryName ?? iso3) })
            : t('review.lede_all'),
        ),
        this.queue.length ? list : h('p', { class: 'muted', id: 'review-empty' }, t('review.empty')),
        h('div', { id: 'review-detail', 'aria-live': 'polite' }),
        this.tasks.element,
      ),
    );
  }

  private async select(id: number): Promise<void> {
    this.selected = id;
    for (const button of this.context.panel.querySelectorAll<HTMLElement>('.queue-item'))
      button.setAttribute('aria-pressed', String(Number(button.dataset.releaseId) === id));
    await this.compare(id);
  }

  /** Hazard outline, approved releases and the submission on the map; figures and the decision in the panel. */
  private async compare(id: number): Promise<void> {
    const release = this.queue.find((r) => r.id === id);
    const detail = this.context.panel.querySelector<HTMLElement>('#review-detail');
    if (!release || !detail) return;
    detail.replaceChildren(h('p', { class: 'muted' }, t('state.loading')));
    const hazardId = release.properties.hazard_id;
    const [hazard, approved] = await Promise.all([
      fieldApi.hazard(hazardId),
      fieldApi.releases(`hazard_id=${hazardId}&status=approved&limit=200`),
    ]);
    this.overlay.show([
      { role: 'hazard', geometry: hazard.geometry },
      ...approved.features.map((r) => ({ role: 'approved' as const, geometry: r.geometry })),
      { role: 'submitted', geometry: release.geometry },
    ]);
    const bounds = boundsOf(hazard.geometry, release.geometry);
    if (bounds) this.context.map.map.fitBounds(bounds, { padding: 60, maxZoom: 15, duration: 0 });
    const reason = h('textarea', { id: 'reject-reason', rows: '3', required: true, minlength: '3', maxlength: '2000' });
    const outcome = h('div', { 'aria-live': 'polite' });
    const decide = async (action: () => Promise<ApiReleaseFeature>) => {
      for (const button of detail.querySelectorAll('button')) button.disabled = true;
      try {
        const reviewed = await action();
        this.context.map.refreshData();
        this.queue = this.queue.filter((r) => r.id !== id);
        this.selected = null;
        this.overlay.clear();
        const user = currentUser();
        this.render(user?.country_iso3 ?? null);
        this.context.panel
          .querySelector('#review-detail')!
          .replaceChildren(
            h(
              'p',
              { class: 'success', role: 'status', 'data-release-id': id, 'data-status': reviewed.properties.status },
              reviewed.properties.status === 'approved' ? t('review.approved', { id }) : t('review.rejected', { id }),
            ),
          );
        this.context.panel.querySelector<HTMLElement>('.queue-item')?.focus();
      } catch (error) {
        outcome.replaceChildren(alertBox(writeErrorMessage(error)));
        for (const button of detail.querySelectorAll('button')) button.disabled = false;
      }
    };
    detail.replaceChildren(
      h('h2', {}, t('review.item', { id, hazard: hazardId })),
      h(
        'p',
        {},
        t(`method.${release.properties.method}`),
        ' · ',
        date(release.properties.completed_on),
        release.properties.external_ref ? ` · ${release.properties.external_ref}` : '',
      ),
      h(
        'p',
        { class: 'muted' },
        t('review.hazard', { hazard: hazardLabel(hazard.properties), approved: approved.features.length }),
      ),
      checkResult(release.properties),
      h(
        'div',
        { class: 'decision' },
        h(
          'button',
          {
            type: 'button',
            id: 'approve-release',
            class: 'button button-primary',
            onclick: () => void decide(() => fieldApi.approve(id)),
          },
          t('review.approve'),
        ),
      ),
      h(
        'form',
        {
          class: 'task-form',
          id: 'reject-form',
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (reason.value.trim().length < 3) {
              outcome.replaceChildren(alertBox(t('review.reason_required')));
              reason.focus();
              return;
            }
            void decide(() => fieldApi.reject(id, reason.value.trim()));
          },
        },
        field(t('review.reason'), reason, t('review.reason_hint')),
        h('button', { type: 'submit', id: 'reject-release', class: 'button' }, t('review.reject')),
      ),
      outcome,
    );
  }

  destroy(): void {
    this.overlay.clear();
    this.context.legend.replaceChildren();
  }
}
