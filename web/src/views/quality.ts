import type { ApiQuality } from '../api-types.js';
import { api, fieldApi } from '../api.js';
import en from '../i18n/en.json';
import { type MessageKey, countryName, km2, plainNumber, t } from '../i18n/i18n.js';
import type { AppState } from '../state.js';
import { h } from '../ui/dom.js';
import { type ViewContext, type ViewController, openCountryPage } from './view.js';

const SEVERITY_ORDER = ['error', 'warning', 'info'] as const;

/** The check's name in the user's language; a check newer than the translations keeps the server's English. */
function checkTitle(check: ApiQuality['checks'][number]): HTMLElement {
  const key = `quality.check_${check.code}`;
  return key in en ? h('span', {}, t(key as MessageKey)) : h('span', { lang: 'en', dir: 'ltr' }, check.title);
}

/**
 * /countries/{ISO3}/quality: each data-quality check a section with its findings, each finding a
 * link that opens the feature on the country map.
 */
export class QualityView implements ViewController {
  private framed = '';

  constructor(private readonly context: ViewContext) {}

  async update(state: AppState): Promise<void> {
    if (state.view.name !== 'quality') return;
    const { iso3 } = state.view;
    const { panel, router } = this.context;
    this.framed = openCountryPage(this.context, iso3, state.treaty, this.framed);
    const [report, country] = await Promise.all([fieldApi.quality(iso3), api.country(iso3, '').catch(() => null)]);
    const checks = [...report.checks].sort(
      (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.count - a.count,
    );
    const total = checks.reduce((sum, check) => sum + check.count, 0);
    panel.replaceChildren(
      h(
        'div',
        { id: 'quality-report', 'data-iso3': iso3 },
        h(
          'a',
          { class: 'back-link', href: router.href({ view: { name: 'country', iso3 } }), 'data-nav': true },
          t('quality.back'),
        ),
        h('h1', {}, t('quality.title', { country: countryName(iso3, country?.name ?? iso3) })),
        h(
          'p',
          { class: 'lede' },
          total ? t('quality.summary', { count: plainNumber(total, 0) }) : t('quality.all_clear'),
        ),
        h(
          'nav',
          { 'aria-label': t('quality.contents') },
          h(
            'ul',
            { class: 'plain quality-toc' },
            ...checks.map((check) =>
              h(
                'li',
                {},
                h('a', { href: `#check-${check.code}` }, checkTitle(check), ` (${plainNumber(check.count, 0)})`),
              ),
            ),
          ),
        ),
        ...checks.map((check) => this.section(check)),
      ),
    );
  }

  private section(check: ApiQuality['checks'][number]): HTMLElement {
    const shown = check.items.length;
    return h(
      'section',
      {
        class: `card quality-check severity-${check.severity}`,
        id: `check-${check.code}`,
        'data-check': check.code,
        'data-count': check.count,
      },
      h(
        'h2',
        {},
        h(
          'span',
          { class: `badge severity-badge severity-${check.severity}` },
          t(`quality.severity_${check.severity}`),
        ),
        ' ',
        checkTitle(check),
        ' ',
        h('span', { class: 'count' }, plainNumber(check.count, 0)),
      ),
      check.count === 0
        ? h('p', { class: 'muted' }, t('quality.none_found'))
        : h(
            'ul',
            { class: 'quality-items' },
            ...check.items.map((item) =>
              h(
                'li',
                { 'data-entity': item.entity, 'data-id': item.id },
                h(
                  'a',
                  { href: item.link, 'data-nav': true },
                  item.entity === 'hazard'
                    ? t('quality.hazard', { id: item.id })
                    : t('quality.release', { id: item.id }),
                  item.reference ? ` (${item.reference})` : '',
                ),
                item.area_m2 !== undefined ? h('span', { class: 'muted' }, ` · ${km2(item.area_m2 / 1e6)}`) : null,
                // The server's English detail on a line of its own, so it never interleaves with right-to-left text.
                h('span', { class: 'quality-detail', lang: 'en', dir: 'ltr' }, item.detail),
              ),
            ),
          ),
      shown < check.count
        ? h(
            'p',
            { class: 'muted' },
            t('quality.capped', { shown: plainNumber(shown, 0), count: plainNumber(check.count, 0) }),
          )
        : null,
    );
  }

  destroy(): void {}
}
