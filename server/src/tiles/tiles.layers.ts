// The fixed table of tile layers: a request names a layer by one of these keys and nothing else
// reaches SQL as a name. Zoom ranges are part of the tile contract with the web app.
export const TILE_LAYERS = {
  countries: {
    minZoom: 0,
    maxZoom: 12,
    description: 'every country (also the basemap land) and a country_labels point layer',
  },
  provinces: { minZoom: 3, maxZoom: 12, description: 'admin-1 units with remaining km² as of the year end' },
  hazards: { minZoom: 4, maxZoom: 16, description: 'hazards; dissolved into generalised features below z10' },
  releases: { minZoom: 6, maxZoom: 16, description: 'approved releases; dissolved per method and year below z10' },
  tasks: {
    minZoom: 4,
    maxZoom: 16,
    description:
      'tasks the reader may see: operator, donors, status, method; ?operator= and ?donor= (organisation ids) filter',
  },
} as const;

/**
 * The vector layers in each tile layer's tiles and the attributes their features may carry, with
 * TileJSON's field types. The tile SQL (sql/functions/0400_tiles.sql, 0410, 0710) writes them; a
 * test decodes tiles and checks that every attribute they carry is listed here.
 */
export const VECTOR_LAYERS: Record<TileLayer, Record<string, Record<string, 'String' | 'Number' | 'Boolean'>>> = {
  countries: {
    countries: {
      iso3: 'String',
      name: 'String',
      affected: 'Boolean',
      remaining_km2: 'Number',
      status: 'String',
      deadline: 'String',
      synthetic: 'Boolean',
    },
    country_labels: { iso3: 'String', name: 'String', affected: 'Boolean', area_km2: 'Number' },
  },
  provinces: { provinces: { code: 'String', name: 'String', country_iso3: 'String', remaining_km2: 'Number' } },
  hazards: {
    hazards: {
      id: 'Number',
      reference: 'String',
      classification: 'String',
      contamination: 'String',
      contamination_all: 'String',
      status: 'String',
      area_m2: 'Number',
      remaining_m2: 'Number',
      remaining_share: 'Number',
      recorded_on: 'String',
      country_iso3: 'String',
      count: 'Number',
      generalised: 'Boolean',
      cell_km: 'Number',
    },
  },
  releases: {
    releases: {
      id: 'Number',
      hazard_id: 'Number',
      method: 'String',
      year: 'Number',
      completed_on: 'String',
      area_m2: 'Number',
      count: 'Number',
      generalised: 'Boolean',
      cell_km: 'Number',
    },
  },
  tasks: {
    tasks: {
      id: 'Number',
      country_iso3: 'String',
      operator_id: 'Number',
      operator: 'String',
      donors: 'String',
      status: 'String',
      method: 'String',
      planned_start: 'String',
      planned_end: 'String',
      generalised: 'Boolean',
      cell_km: 'Number',
    },
  },
};

export type TileLayer = keyof typeof TILE_LAYERS;

export const isTileLayer = (name: string): name is TileLayer => Object.hasOwn(TILE_LAYERS, name);

export const TREATY_CHOICES = ['CCM', 'APMBC', 'all'] as const;
export type TreatyChoice = (typeof TREATY_CHOICES)[number];

export interface TileAddress {
  layer: TileLayer;
  z: number;
  x: number;
  y: number;
}
