import geodesic from 'geographiclib-geodesic';

type Ring = number[][];

/**
 * A square of roughly `sizeM` metres a side centred on (lng, lat), as a GeoJSON Polygon.
 * @example square(103.2, 19.45, 500) // ~25 ha in Xiangkhouang, Lao PDR
 */
export function square(lng: number, lat: number, sizeM: number) {
  const dLat = sizeM / 2 / 111_320;
  const dLng = sizeM / 2 / (111_320 * Math.cos((lat * Math.PI) / 180));
  return rectangle(lng - dLng, lat - dLat, lng + dLng, lat + dLat);
}

export function rectangle(minLng: number, minLat: number, maxLng: number, maxLat: number) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [minLng, minLat],
        [maxLng, minLat],
        [maxLng, maxLat],
        [minLng, maxLat],
        [minLng, minLat],
      ],
    ],
  };
}

/**
 * Geodesic area of a polygon on the WGS 84 ellipsoid from GeographicLib (Karney), the
 * independent oracle for every area the API reports. Holes are subtracted.
 */
export function geodesicArea(geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: any }): number {
  const polygons: Ring[][] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let total = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      const area = Math.abs(ringArea(ring));
      total += index === 0 ? area : -area;
    });
  }
  return total;
}

function ringArea(ring: Ring): number {
  const polygon = geodesic.Geodesic.WGS84.Polygon(false);
  for (const [lng, lat] of ring.slice(0, -1)) polygon.AddPoint(lat!, lng!);
  return polygon.Compute(false, true).area ?? 0;
}

/** The z/x/y address of the web-mercator tile containing a point. */
export function tileOf(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}
