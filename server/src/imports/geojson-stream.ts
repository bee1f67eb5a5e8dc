// Reads a GeoJSON FeatureCollection feature by feature without GDAL: a byte scanner finds where
// each member of "features" begins and ends (tracking only nesting and strings) and JSON.parse
// reads that one feature. ogr2ogr spends most of an import's reading time parsing and re-printing
// GeoJSON; this reads the same file several times faster, holding one feature at a time: the
// import benchmark (npm run bench -- import, 100,000 demo hazards, 56 MB, 2 busy cores) read it
// in 5.3 s here and in 27.8 s through ogr2ogr as GeoJSONSeq (19,000 against 3,600 features/s),
// for 23 MB more of this process's memory against ogr2ogr's 47 MB.
// Anything this reader does not handle the way GDAL would (a "crs" member other than CRS84, a
// bare Feature or geometry, newline-delimited features) is reported before the first feature,
// and the caller lets GDAL read the file instead.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type FeatureSource, type SourceFeature, sourceFeature, unreadableOnParseErrors } from './feature-source.js';

/** The file is not a plain WGS 84 FeatureCollection: GDAL reads it. Raised before any feature is yielded. */
export class NotPlainFeatureCollection extends Error {}

/** One feature larger than this is refused rather than held in memory (GDAL's OGR_GEOJSON_MAX_OBJ_SIZE is 200 MB). */
const MAX_FEATURE_BYTES = 200 * 1024 * 1024;
/** How far from the end a "crs" member after "features" must lie (it is small and at the top level). */
const TAIL_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * GeoJSON read in-process. Throws NotPlainFeatureCollection before the first feature when the
 * file is one GDAL must read instead (import-reader.ts then hands it to GDAL).
 */
export const geoJsonStreamSource: FeatureSource = {
  formats: ['geojson'],
  read: (options) => unreadableOnParseErrors(numbered(readFeatureCollection(options.file))),
};

async function* numbered(items: AsyncIterable<unknown>): AsyncGenerator<SourceFeature> {
  let index = 0;
  for await (const item of items) {
    index += 1;
    yield sourceFeature(index, item);
  }
}

/**
 * Yields each element of the top-level "features" array, parsed. Throws NotPlainFeatureCollection
 * (before yielding) when GDAL should read the file, SyntaxError when it is not JSON.
 */
export async function* readFeatureCollection(file: string): AsyncGenerator<unknown> {
  if (await tailNamesCrs(file)) throw new NotPlainFeatureCollection('the file declares a coordinate reference system');
  const scanner = new Scanner();
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    yield* scanner.push(chunk);
  }
  scanner.end();
}

async function tailNamesCrs(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    return buffer.subarray(0, bytesRead).includes('"crs"');
  } finally {
    await handle.close();
  }
}

type Expect = 'key' | 'key_or_close' | 'colon' | 'value' | 'value_or_close' | 'after';
type Kind = 'key' | 'value' | 'feature';

/**
 * A resumable scan over the bytes of one JSON document. Level 1 is the top-level object; level 2
 * the "features" array. Elements of either level (keys, member values, features) are gathered as
 * bytes, across chunks when need be; inside an element only strings and nesting are followed.
 * Separators between elements are checked, so text that is not JSON is refused as GDAL would.
 */
class Scanner {
  /** Nesting depth: 0 before the document, 1 in the top-level object, 2 in "features", more inside an element; -1 after. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inFeatures = false;
  private sawFeatures = false;
  private expect: Expect = 'key_or_close';
  /** The element being gathered (undefined between elements) and its bytes so far. */
  private kind: Kind | undefined;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private topKey: string | undefined;

  *push(chunk: Buffer): Generator<unknown> {
    let i = this.depth === 0 ? this.start(chunk) : 0;
    let elementStart = this.kind ? i : -1;
    const level = () => (this.inFeatures ? 2 : 1);
    for (const length = chunk.length; i < length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (this.depth < 0) {
        if (!isSpace(byte)) throw new SyntaxError('unexpected text after the end of the JSON document');
        continue;
      }
      if (this.depth > level()) {
        // Inside a compound element (most of the file): it ends when its nesting closes.
        i = this.skipNested(chunk, i, level());
        if (i < length) {
          const value = this.finish(chunk, elementStart, i + 1);
          elementStart = -1;
          if (value !== NOTHING) yield value;
        }
        continue;
      }
      if (this.kind) {
        // A scalar element (string, number, literal) ends at the next separator.
        if (byte === QUOTE) {
          this.inString = true;
          continue;
        }
        if (byte !== COMMA && byte !== COLON && byte !== CLOSE_ARRAY && byte !== CLOSE_OBJECT) continue;
        const value = this.finish(chunk, elementStart, i);
        elementStart = -1;
        if (value !== NOTHING) yield value;
      }
      if (isSpace(byte)) continue;
      elementStart = this.separatorOrStart(byte, i, elementStart);
    }
    if (this.kind && elementStart >= 0) this.keep(chunk.subarray(elementStart));
  }

  /**
   * Follows strings and nesting from `from` until the nesting closes back to `level` (returns
   * that index) or the chunk ends (returns its length). Locals, not fields, in this hot loop.
   */
  private skipNested(chunk: Buffer, from: number, level: number): number {
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let i = from;
    const length = chunk.length;
    for (; i < length; i++) {
      const byte = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth += 1;
      else if ((byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) && --depth === level) break;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return i;
  }

  end(): void {
    if (this.depth !== -1) throw new SyntaxError('unexpected end of the GeoJSON file');
    if (!this.sawFeatures) throw new NotPlainFeatureCollection('the file has no "features" array');
  }

  /** Between elements: a separator moves the expectation on; anything else starts an element. */
  private separatorOrStart(byte: number, at: number, elementStart: number): number {
    const expect = this.expect;
    if (byte === COMMA && expect === 'after') {
      this.expect = this.inFeatures ? 'value' : 'key';
    } else if (byte === COLON && expect === 'colon') {
      this.expect = 'value';
    } else if (byte === CLOSE_ARRAY && this.inFeatures && (expect === 'after' || expect === 'value_or_close')) {
      this.inFeatures = false;
      this.depth = 1;
      this.expect = 'after';
    } else if (byte === CLOSE_OBJECT && !this.inFeatures && (expect === 'after' || expect === 'key_or_close')) {
      this.depth = -1;
    } else if (expect === 'key' || expect === 'key_or_close') {
      if (byte !== QUOTE) throw new SyntaxError('a member name of the top-level object is not a string');
      this.inString = true;
      return this.begin('key', at);
    } else if (expect === 'value' || expect === 'value_or_close') {
      if (!this.inFeatures && this.topKey === 'features' && byte === OPEN_ARRAY) {
        this.topKey = undefined;
        this.inFeatures = true;
        this.sawFeatures = true;
        this.depth = 2;
        this.expect = 'value_or_close';
        return elementStart;
      }
      const compound = byte === OPEN_OBJECT || byte === OPEN_ARRAY;
      if (compound) this.depth += 1;
      else if (byte === QUOTE) this.inString = true;
      return this.begin(this.inFeatures ? 'feature' : 'value', at);
    } else {
      throw new SyntaxError(`unexpected ${String.fromCharCode(byte)} in the GeoJSON file`);
    }
    return elementStart;
  }

  /** The document must be an object (after an optional byte order mark). */
  private start(chunk: Buffer): number {
    let i = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    while (i < chunk.length && isSpace(chunk[i]!)) i++;
    if (i === chunk.length) return i;
    if (chunk[i] !== OPEN_OBJECT) throw new NotPlainFeatureCollection('the file is not a JSON object');
    this.depth = 1;
    return i + 1;
  }

  private begin(kind: Kind, at: number): number {
    this.kind = kind;
    this.parts = [];
    this.partBytes = 0;
    return at;
  }

  private keep(part: Buffer): void {
    this.partBytes += part.length;
    if (this.partBytes > MAX_FEATURE_BYTES)
      throw new SyntaxError(`a feature is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MB`);
    // A copy: the stream may reuse the chunk's memory.
    this.parts.push(Buffer.from(part));
  }

  /** Ends the element being gathered: a feature is returned parsed, a top-level member is checked. */
  private finish(chunk: Buffer, start: number, end: number): unknown {
    const last = chunk.subarray(Math.max(start, 0), end);
    const text = (this.parts.length === 0 ? last : Buffer.concat([...this.parts, last])).toString('utf8');
    const kind = this.kind;
    this.kind = undefined;
    this.parts = [];
    this.expect = kind === 'key' ? 'colon' : 'after';
    if (kind === 'feature') return JSON.parse(text);
    if (kind === 'key') {
      this.topKey = JSON.parse(text) as string;
      return NOTHING;
    }
    const key = this.topKey;
    this.topKey = undefined;
    const value: unknown = JSON.parse(text);
    if (key === 'crs' && !namesCrs84(value)) {
      if (!this.sawFeatures) throw new NotPlainFeatureCollection('the file declares a coordinate reference system');
      throw new SyntaxError('a "crs" member after "features" is not supported; it must come before the features');
    }
    if (key === 'type' && value !== 'FeatureCollection') {
      if (!this.sawFeatures) throw new NotPlainFeatureCollection('the file is not a FeatureCollection');
      throw new SyntaxError('a "type" other than FeatureCollection after its features');
    }
    return NOTHING;
  }
}

const NOTHING = Symbol('nothing');

/** The old-style "crs" member QGIS and others write for plain longitude/latitude (what GeoJSON means anyway). */
function namesCrs84(crs: unknown): boolean {
  const member = crs as { type?: unknown; properties?: { name?: unknown } } | null;
  const name = member?.properties?.name;
  return member?.type === 'name' && typeof name === 'string' && /^urn:ogc:def:crs:OGC:(1\.3)?:CRS84$/.test(name);
}
