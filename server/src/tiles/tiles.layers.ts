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
