import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { onDataChanged } from '../db/data-changed.js';
import { type ReadRouter, createReadRouter } from '../db/read-replicas.js';
import { type CachedBytes, createDerivedCache } from '../db/derived-cache.js';
import { resolveAsOf } from '../area/as-of.js';
import { remainingM2 } from '../area/figures.js';
import { todayUtc } from '../shared/dates.js';
import { dimensionTotals } from '../countries/countries.repository.js';
import { km2 } from '../area/figures.js';
import { listCountries } from '../countries/countries.service.js';
import { listProgress } from '../progress/progress.service.js';
import type { ProgressStatus } from '../progress/projection.js';
import type { TileAddress, TreatyChoice } from './tiles.layers.js';
import { renderTile } from './tiles.repository.js';
import { provinceFigures } from '../restrictions/restrictions.service.js';
import type { CoalitionScope } from '../shared/coalition-scope.js';

type AsOf = ReturnType<typeof resolveAsOf>;

export interface TileRequest extends TileAddress {
  year?: number;
  treaty?: TreatyChoice;
  /** The reader's exact-geometry scope (restrictions.service exactGeometryScope); default: none. */
  exact?: string[];
  /** tasks: the reader's coalition scope (tasks.scope.ts coalitionScope); default: anonymous. */
  coalition?: CoalitionScope;
  /** tasks: only those funded by this donor's (visible) grants, or of this operator. */
  donor?: number;
  operator?: number;
  /** The data version the URL asks for (TileJSON's `?v=`); it does not change what is drawn. */
  v?: string;
}

/** Layers a country's restriction coarsens: its hazards and releases become cells, its province figures coarser. */
const RESTRICTABLE = new Set<TileAddress['layer']>(['hazards', 'releases', 'provinces', 'tasks']);
export const isRestrictable = (layer: TileAddress['layer']) => RESTRICTABLE.has(layer);

/** The cache key of a request, with the resolved day, treaty and exact scope it stands for. */
function cacheKey(request: TileRequest) {
  const asOf = resolveAsOf({ year: request.year });
  const treaty: TreatyChoice = request.layer === 'countries' ? (request.treaty ?? 'all') : 'all';
  // The exact scope is part of the key: a tile rendered for a national authority (exact
  // polygons and figures of its restricted country) must never be served to anybody with another scope.
  const exact = RESTRICTABLE.has(request.layer) ? [...(request.exact ?? [])].sort() : [];
  // Tasks also depend on whose coalition the reader is in (which grants' donors it sees) and the filters.
  const coalition = request.layer === 'tasks' ? (request.coalition ?? { org: null, governs: [] }) : undefined;
  const filter = { donor: request.donor ?? null, operator: request.operator ?? null };
  const tasks = coalition ? `/${coalition.org}/${coalition.governs.join(',')}/${filter.donor}/${filter.operator}` : '';
  const key = `${request.layer}/${request.z}/${request.x}/${request.y}/${asOf.date}/${treaty}/${exact.join(',')}${tasks}`;
  return { key, asOf, treaty, exact, coalition: coalition ?? { org: null, governs: [] }, filter };
}

/** Worst first: a country shows the worst status among the selected treaty's obligations. */
const STATUS_SEVERITY: Array<ProgressStatus> = [
  'off_track',
  'extension_requested',
  'at_risk',
  'no_data',
  'on_track',
  'completed',
];

interface CountryFigures {
  remaining_km2: number;
  synthetic: boolean;
  obligations: Array<{ treaty: 'CCM' | 'APMBC'; status: ProgressStatus; deadline: string | null }>;
}

/** Per country, the tile attributes under one treaty choice (the status rule stays in projection.ts). */
export function countryAttributes(figures: Map<string, CountryFigures>, treaty: TreatyChoice) {
  const out: Record<
    string,
    { affected: true; remaining_km2: number; synthetic: boolean; status: string; deadline?: string }
  > = {};
  for (const [iso3, country] of figures) {
    const selected = country.obligations.filter((o) => treaty === 'all' || o.treaty === treaty);
    const worst = selected
      .map((o) => o.status)
      .sort((a, b) => STATUS_SEVERITY.indexOf(a) - STATUS_SEVERITY.indexOf(b))[0];
    const deadline = selected
      .map((o) => o.deadline)
      .filter((d): d is string => d !== null)
      .sort()[0];
    out[iso3] = {
      affected: true,
      remaining_km2: country.remaining_km2,
      synthetic: country.synthetic,
      status: worst ?? 'none',
      ...(deadline ? { deadline } : {}),
    };
  }
  return out;
}

/**
 * Renders, caches and invalidates tiles. Figures that come from TypeScript (country status and
 * remaining, province remaining) are computed once per day asked about and reused by every tile
 * until the data changes.
 */
export function createTileService(db: Db, config: Config, reads: ReadRouter = createReadRouter(db, [])) {
  // Compressed once per tile, as it is cached: gzip is about half a tile's bytes on the wire. Level
  // 1 comes within 3% of the default level's size on vector tiles in 60% of its time.
  const cache = createDerivedCache(db, config.TILE_CACHE_MB * 1024 * 1024, { gzipLevel: 1 });
  const figures = new Map<string, Promise<string>>();
  onDataChanged(() => figures.clear());

  const memo = (key: string, compute: () => Promise<string>) => {
    let value = figures.get(key);
    if (!value) {
      value = compute();
      figures.set(key, value);
      value.catch(() => figures.delete(key));
    }
    return value;
  };

  const countryFigures = async (asOf: AsOf) => {
    const [countries, progress] = await Promise.all([
      listCountries(db, asOf, config.COVERAGE_THIN_SHARE),
      listProgress(db, asOf, config.COVERAGE_THIN_SHARE),
    ]);
    const byIso3 = new Map<string, CountryFigures>();
    for (const c of countries)
      byIso3.set(c.iso3, { remaining_km2: c.remaining_km2, synthetic: c.synthetic_data, obligations: [] });
    for (const p of progress) {
      byIso3
        .get(p.iso3)
        ?.obligations.push(
          ...p.obligations.map((o) => ({ treaty: o.treaty, status: o.status, deadline: o.current_deadline })),
        );
    }
    return byIso3;
  };

  const attributesFor = (
    layer: TileAddress['layer'],
    asOf: AsOf,
    treaty: TreatyChoice,
    exact: string[],
  ): Promise<string> => {
    if (layer === 'countries') {
      return memo(`countries ${asOf.date} ${treaty}`, async () =>
        JSON.stringify(countryAttributes(await countryFigures(asOf), treaty)),
      );
    }
    if (layer === 'provinces') {
      return memo(`provinces ${asOf.date} ${exact.join(',')}`, async () => {
        // Restricted countries' province figures as this reader may see them (restrictions/).
        const { m2 } = await provinceFigures(db, exact, asOf.date, undefined, async (date) =>
          (await dimensionTotals(db, date, undefined, 'province'))
            .filter((t) => t.dim_kind === 'province')
            .map((t) => ({
              country_iso3: t.country_iso3,
              code: t.dim_key,
              m2: remainingM2(t),
            })),
        );
        return JSON.stringify(Object.fromEntries([...m2].map(([code, value]) => [code, km2(value)])));
      });
    }
    return Promise.resolve('{}');
  };

  const render = async (request: TileRequest, resolved: ReturnType<typeof cacheKey>) => {
    const { asOf, treaty, exact, coalition, filter } = resolved;
    const attributes = await attributesFor(request.layer, asOf, treaty, exact);
    const current = asOf.date === todayUtc();
    // The tile's own query may go to a replica; the figures above come from their own caches.
    return reads.read((from) =>
      renderTile(from, request, {
        asOf: current ? null : asOf.date,
        attributes,
        exact,
        coalition,
        filter,
      }),
    );
  };

  return {
    /**
     * The cached tile for an already validated request, without rendering: the server's fast path
     * for anonymous requests (tiles.fast-path.ts).
     */
    cached(request: TileRequest): CachedBytes | undefined {
      return cache.cached(cacheKey(request).key);
    },
    /** The tile's bytes (empty when nothing is in it), its ETag, and whether it came from the cache. */
    async tile(request: TileRequest): Promise<CachedBytes & { cached: boolean }> {
      const resolved = cacheKey(request);
      return cache.get(resolved.key, () => render(request, resolved));
    },
  };
}

export type TileService = ReturnType<typeof createTileService>;
