// The in-process GeoJSON reader finds each feature with a byte scanner: strings holding braces,
// brackets, commas, escaped quotes and backslashes, multi-byte characters and features cut across
// its 1 MB read chunks must all come out exactly as JSON.parse reads the whole file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotPlainFeatureCollection, readFeatureCollection } from '../../server/src/imports/geojson-stream.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'safeground-geojson-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function readAll(text: string): Promise<unknown[]> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.geojson`);
  await writeFile(file, text);
  const features: unknown[] = [];
  for await (const feature of readFeatureCollection(file)) features.push(feature);
  return features;
}

const TRICKY = ['}', ']', '{"features":[', '\\', '"', '\\"}]', 'ﾛ 地雷 ألغام 💣', ',:', '\u0000\u001f', '\\u007d'];

function feature(i: number) {
  const x = 102 + (i % 1000) / 1000;
  return {
    type: 'Feature',
    id: i,
    properties: {
      ref: `R-${i}`,
      note: TRICKY[i % TRICKY.length]!.repeat(1 + (i % 3)),
      nested: { list: [[], {}, [1, [2, '}']]] },
      n: i / 7,
    },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [x, 18],
          [x + 0.001, 18],
          [x + 0.001, 18.001],
          [x, 18],
        ],
      ],
    },
  };
}

describe('readFeatureCollection', () => {
  it('reads every feature exactly as JSON.parse does, across 1 MB chunk boundaries', async () => {
    const collection = {
      type: 'FeatureCollection',
      name: 'a "name" with } and ]',
      features: Array.from({ length: 6_000 }, (_, i) => feature(i)),
    };
    const text = JSON.stringify(collection, null, 1);
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 1024 * 1024);
    expect(await readAll(text)).toEqual(collection.features);
  });

  it('takes members in any order and any whitespace', async () => {
    const features = [feature(1), feature(2)];
    const text = `\r\n{ "features" :\t[ ${JSON.stringify(features[0])} ,\n${JSON.stringify(features[1])} ] , "type" : "FeatureCollection" , "bbox": [1,2,3,4] }\n`;
    expect(await readAll(text)).toEqual(features);
    expect(await readAll('{"type":"FeatureCollection","features":[]}')).toEqual([]);
  });

  it('refuses what is not JSON with a SyntaxError', async () => {
    const one = JSON.stringify(feature(1));
    for (const broken of [
      `{"type":"FeatureCollection","features":[${one} ${one}]}`,
      `{"type":"FeatureCollection","features":[${one},]}`,
      `{"type":"FeatureCollection","features":[${one}`,
      `{"type":"FeatureCollection","features":[${one}]} trailing`,
      `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":"unterminated}]}`,
    ]) {
      await expect(readAll(broken), broken.slice(-40)).rejects.toThrow(SyntaxError);
    }
  });

  it('leaves to GDAL what it does not read the GDAL way: a crs member, a bare feature', async () => {
    const crs = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'EPSG:32648' } },
      features: [feature(1)],
    };
    await expect(readAll(JSON.stringify(crs))).rejects.toThrow(NotPlainFeatureCollection);
    await expect(readAll(JSON.stringify(feature(1)))).rejects.toThrow(NotPlainFeatureCollection);
  });
});
