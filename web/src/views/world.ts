import type { MapLayerMouseEvent } from 'maplibre-gl';
import { api } from '../api.js';
import { countryName, date, km2, t } from '../i18n/i18n.js';
import { REMAINING_STOPS, STATUS_COLOURS, STATUS_ORDER } from '../map/palette.js';
import { type AppState, type Mode, yearQuery } from '../state.js';
import { STATUS_SHAPES, demoBadge, showDemoBanner, statusBadge } from '../ui/badges.js';
import { append, h } from '../ui/dom.js';
import { legendItem, setLegend } from '../ui/legend.js';
import { yearSlider } from '../ui/year-slider.js';
import { type RankedCountry, rankCountries } from './ranking.js';
import type { ViewContext, ViewController } from './view.js';

const FIRST_DATA_YEAR = 2000;

/** World view: the choropleth, its legend, and the ranked, searchable list of countries. */
export class WorldView implements ViewController {
  private rows: RankedCountry[] = [];
  private search = '';
  private readonly offMap: (() => void)[] = [];
  private wasCountry = false;

  constructor(private readonly context: ViewContext) {
    const { map } = context.map;
    const move = (event: MapLayerMouseEvent) => this.hover(event);
    const leave = () => this.hover(undefined);
    const click = (event: MapLayerMouseEvent) => {
      const iso3 = event.features?.[0]?.properties.iso3 as string | undefined;
      if (iso3 && this.rows.some((row) => row.iso3 === iso3)) this.open(iso3);
    };
    map.on('mousemove', 'countries-fill', move);
    map.on('mouseleave', 'countries-fill', leave);
    map.on('click', 'countries-fill', click);
    this.offMap.push(() => {
      map.off('mousemove', 'countries-fill', move);
      map.off('mouseleave', 'countries-fill', leave);
      map.off('click', 'countries-fill', click);
    });
    this.wasCountry = map.getZoom() > 2.5;
  }

  /**
   * Asks for the figures the view will show, so that they travel while the map loads (the API's
   * answers are cached by URL, so update() then finds them on their way). A failure is left for
   * update() to meet and report.
   */
  static prefetch(state: AppState): void {
    const query = yearQuery(state.year);
    for (const figures of [api.countries(query), api.progress(query)]) figures.catch(() => undefined);
  }

  async update(state: AppState): Promise<void> {
    const { map, panel } = this.context;
    map.setParams({ treaty: state.treaty, year: state.year });
    map.showWorld(state.mode);
    if (this.wasCountry) map.frameWorld();
    this.wasCountry = false;
    this.renderLegend(state.mode);
    panel.replaceChildren(h('p', { class: 'loading-text' }, t('state.loading')));
    const query = yearQuery(state.year);
    const [countries, progress] = await Promise.all([api.countries(query), api.progress(query)]);
    this.rows = rankCountries(countries, progress, state.treaty);
    showDemoBanner(countries.some((c) => c.synthetic_data));
    this.renderPanel(state, countries[0]?.as_of ?? null);
  }

  destroy(): void {
    for (const off of this.offMap) off();
    this.context.tooltip.hidden = true;
    this.context.legend.replaceChildren();
  }

  private open(iso3: string): void {
    this.context.router.update({ view: { name: 'country', iso3 } });
  }

  private renderPanel(state: AppState, asOf: string | null): void {
    const { router } = this.context;
    const counts = STATUS_ORDER.map(
      (status) => [status, this.rows.filter((r) => r.status === status).length] as const,
    ).filter(([, n]) => n > 0);
    const modeSelect = h(
      'select',
      {
        id: 'mode-select',
        onchange: (event: Event) => router.update({ mode: (event.target as HTMLSelectElement).value as Mode }),
      },
      h('option', { value: 'status' }, t('mode.status')),
      h('option', { value: 'remaining' }, t('mode.remaining')),
    );
    modeSelect.value = state.mode;
    const search = h('input', {
      id: 'country-search',
      type: 'search',
      autocomplete: 'off',
      placeholder: t('world.search_placeholder'),
      value: this.search,
      oninput: (event: Event) => {
        this.search = (event.target as HTMLInputElement).value;
        this.renderList(list, empty);
      },
    });
    const list = h('ol', { id: 'country-list', class: 'country-list', 'aria-label': t('world.list_label') });
    const empty = h('p', { class: 'muted', hidden: true }, t('world.no_match'));
    this.context.panel.replaceChildren(
      h('h1', {}, t('world.title')),
      h('p', { class: 'lede' }, t('world.lede'), ' ', asOf ? t('world.as_of', { date: date(asOf) }) : ''),
      h(
        'div',
        { class: 'control-row' },
        h('label', { class: 'control' }, h('span', { class: 'control-label' }, t('mode.label')), modeSelect),
      ),
      yearSlider(state.year, FIRST_DATA_YEAR, (year) => router.update({ year })),
      h(
        'ul',
        { class: 'status-summary', 'aria-label': t('world.summary_label') },
        ...counts.map(([status, n]) => h('li', {}, statusBadge(status), h('span', { class: 'count' }, String(n)))),
      ),
      h(
        'div',
        { class: 'search' },
        h('label', { for: 'country-search', class: 'control-label' }, t('world.search_label')),
        search,
      ),
      list,
      empty,
    );
    this.renderList(list, empty);
  }

  private renderList(list: HTMLElement, empty: HTMLElement): void {
    const { router, map } = this.context;
    const needle = this.search.trim().toLocaleLowerCase();
    const rows = this.rows.filter((row) => {
      if (!needle) return true;
      return [row.iso3, row.name, countryName(row.iso3, row.name)].some((name) =>
        name.toLocaleLowerCase().includes(needle),
      );
    });
    list.replaceChildren(
      ...rows.map((row) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              class: 'country-row',
              href: router.href({ view: { name: 'country', iso3: row.iso3 } }),
              'data-nav': true,
              'data-iso3': row.iso3,
              onmouseenter: () => map.highlight(row.iso3),
              onmouseleave: () => map.highlight(''),
              onfocus: () => map.highlight(row.iso3),
              onblur: () => map.highlight(''),
            },
            h('span', { class: 'country-name' }, countryName(row.iso3, row.name), row.synthetic ? demoBadge() : null),
            statusBadge(row.status),
            h(
              'span',
              { class: 'country-figures' },
              h(
                'span',
                {},
                row.remaining_km2 === null ? t('world.no_figure') : km2(row.remaining_km2),
                row.reportedFigure
                  ? h('abbr', { title: t('figure.reported_note') }, ` (${t('figure.reported_short')})`)
                  : null,
              ),
              h(
                'span',
                { class: 'muted' },
                row.deadline ? t('world.deadline', { date: date(row.deadline) }) : t('world.no_deadline'),
                row.unverified
                  ? h(
                      'abbr',
                      { class: 'unverified', title: t('obligations.unverified') },
                      ` (${t('world.unverified_short')})`,
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
    );
    empty.hidden = rows.length > 0;
  }

  private renderLegend(mode: Mode): void {
    const { legend } = this.context;
    if (mode === 'remaining') {
      const gradient = `linear-gradient(to right, ${REMAINING_STOPS.map(([, colour]) => colour).join(', ')})`;
      setLegend(
        legend,
        t('legend.remaining'),
        h('div', { class: 'legend-ramp', style: `background: ${gradient}` }),
        h(
          'div',
          { class: 'legend-ramp-labels' },
          ...REMAINING_STOPS.filter((_, i) => i % 2 === 1 || i === REMAINING_STOPS.length - 1).map(([value]) =>
            h('span', {}, km2(value)),
          ),
        ),
        h('p', { class: 'legend-note' }, t('legend.remaining_note')),
      );
      return;
    }
    setLegend(
      legend,
      t('legend.status'),
      h(
        'ul',
        { class: 'legend-items' },
        ...STATUS_ORDER.map((status) =>
          legendItem(STATUS_COLOURS[status], t(`status.${status}`), { shape: STATUS_SHAPES[status] }),
        ),
      ),
    );
  }

  private hover(event: MapLayerMouseEvent | undefined): void {
    const { tooltip, map } = this.context;
    const properties = event?.features?.[0]?.properties;
    const row = properties ? this.rows.find((r) => r.iso3 === properties.iso3) : undefined;
    map.map.getCanvas().style.cursor = row ? 'pointer' : '';
    if (!event || !properties || (!row && !properties.affected)) {
      tooltip.hidden = true;
      map.highlight('');
      return;
    }
    map.highlight(String(properties.iso3));
    const name = countryName(String(properties.iso3), String(properties.name));
    tooltip.replaceChildren();
    append(
      tooltip,
      h('strong', {}, name),
      row ? statusBadge(row.status) : null,
      h(
        'span',
        {},
        row?.remaining_km2 !== null && row?.remaining_km2 !== undefined
          ? t('tooltip.remaining', { value: km2(row.remaining_km2) })
          : '',
      ),
      row?.deadline ? h('span', {}, t('world.deadline', { date: date(row.deadline) })) : null,
      row ? h('span', { class: 'muted' }, t('tooltip.click')) : null,
    );
    tooltip.hidden = false;
    const { x, y } = event.point;
    const area = map.map.getContainer().getBoundingClientRect();
    tooltip.style.left = `${Math.min(x + 14, area.width - tooltip.offsetWidth - 8)}px`;
    tooltip.style.top = `${Math.min(y + 14, area.height - tooltip.offsetHeight - 8)}px`;
  }
}
