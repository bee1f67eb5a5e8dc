// Which code points a WOFF (1.0) font file maps to a real glyph, read from its `cmap` table. The
// glyph builder draws only these, so Chromium never silently substitutes a system font for a
// character the subset lacks.
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'
const CMAP_TAG = 0x636d6170; // 'cmap'

/** The uncompressed bytes of one table of a WOFF 1.0 file, or null if the font has none. */
function woffTable(file: Buffer, tag: number): Buffer | null {
  if (file.readUInt32BE(0) !== WOFF_SIGNATURE) throw new Error('not a WOFF 1.0 file');
  const numTables = file.readUInt16BE(12);
  for (let i = 0; i < numTables; i += 1) {
    const entry = 44 + i * 20;
    if (file.readUInt32BE(entry) !== tag) continue;
    const offset = file.readUInt32BE(entry + 4);
    const compressedLength = file.readUInt32BE(entry + 8);
    const originalLength = file.readUInt32BE(entry + 12);
    const stored = file.subarray(offset, offset + compressedLength);
    // WOFF stores a table uncompressed when zlib would not make it smaller.
    return compressedLength < originalLength ? inflateSync(stored) : stored;
  }
  return null;
}

function addFormat4(cmap: Buffer, at: number, into: Set<number>): void {
  const segments = cmap.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s += 1) {
    const start = cmap.readUInt16BE(starts + s * 2);
    const end = cmap.readUInt16BE(ends + s * 2);
    const delta = cmap.readUInt16BE(deltas + s * 2);
    const rangeOffsetAt = rangeOffsets + s * 2;
    const rangeOffset = cmap.readUInt16BE(rangeOffsetAt);
    for (let code = start; code <= end && code !== 0xffff; code += 1) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
      else {
        const indexed = cmap.readUInt16BE(rangeOffsetAt + rangeOffset + (code - start) * 2);
        glyph = indexed === 0 ? 0 : (indexed + delta) & 0xffff;
      }
      if (glyph !== 0) into.add(code);
    }
  }
}

function addFormat12(cmap: Buffer, at: number, into: Set<number>): void {
  const groups = cmap.readUInt32BE(at + 12);
  for (let g = 0; g < groups; g += 1) {
    const group = at + 16 + g * 12;
    const start = cmap.readUInt32BE(group);
    const end = cmap.readUInt32BE(group + 4);
    const firstGlyph = cmap.readUInt32BE(group + 8);
    for (let code = start; code <= end; code += 1) if (firstGlyph + (code - start) !== 0) into.add(code);
  }
}

/** Every code point any Unicode subtable (format 4 or 12) of the font's cmap maps to a glyph. */
export async function woffCodePoints(path: string): Promise<Set<number>> {
  const cmap = woffTable(await readFile(path), CMAP_TAG);
  if (!cmap) throw new Error(`${path} has no cmap table`);
  const codePoints = new Set<number>();
  const subtables = cmap.readUInt16BE(2);
  for (let i = 0; i < subtables; i += 1) {
    const at = cmap.readUInt32BE(4 + i * 8 + 4);
    const format = cmap.readUInt16BE(at);
    if (format === 4) addFormat4(cmap, at, codePoints);
    else if (format === 12) addFormat12(cmap, at, codePoints);
  }
  return codePoints;
}
