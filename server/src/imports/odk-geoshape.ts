// ODK's geoshape answer as KoboToolbox and ODK Central export it in CSV and XLSX:
// "lat lon alt acc;lat lon alt acc;…", latitude first, altitude and accuracy optional, the ring
// closed (first point repeated) or not, sometimes with a trailing ";".

export type Geoshape =
  | { geometry: { type: 'Polygon'; coordinates: number[][][] }; problem?: undefined }
  | { geometry?: undefined; problem: string };

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A geoshape string as a GeoJSON Polygon (longitude first), or what is wrong with it. */
export function parseGeoshape(value: string): Geoshape {
  const points = value
    .split(';')
    .map((point) => point.trim())
    .filter(Boolean);
  const ring: number[][] = [];
  for (const [i, point] of points.entries()) {
    const parts = point.split(/\s+/);
    if (parts.length < 2 || parts.length > 4 || !parts.every((part) => NUMBER.test(part))) {
      return { problem: `point ${i + 1} ("${point.slice(0, 60)}") is not "latitude longitude [altitude accuracy]"` };
    }
    const [lat, lon] = parts.map(Number) as [number, number];
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return { problem: `point ${i + 1} has latitude ${lat} and longitude ${lon}, outside the earth's range` };
    }
    ring.push([lon, lat]);
  }
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push(first);
  const distinct = ring.length - 1;
  if (distinct < 3) {
    const n = Math.max(distinct, ring.length ? 1 : 0);
    return { problem: `${n} ${n === 1 ? 'point does' : 'points do'} not enclose an area (a shape needs at least 3)` };
  }
  return { geometry: { type: 'Polygon', coordinates: [ring] } };
}
