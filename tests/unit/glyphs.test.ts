// The committed label glyphs (npm run build:glyphs) decode the way MapLibre's parseGlyphPbf reads
// them: every range present for both stacks, bitmaps sized width+6 × height+6, Latin and Arabic there.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';

const FONTS = path.resolve(import.meta.dirname, '../../web/public/fonts');
const STACKS = ['Noto Sans Regular', 'Noto Sans Bold'];
const BORDER = 3;

interface Glyph {
  id: number;
  bitmap?: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
}
interface FontStack {
  name: string;
  range: string;
  glyphs: Glyph[];
}

function readGlyph(tag: number, glyph: Glyph, pbf: PbfReader): void {
  if (tag === 1) glyph.id = pbf.readVarint();
  else if (tag === 2) glyph.bitmap = pbf.readBytes();
  else if (tag === 3) glyph.width = pbf.readVarint();
  else if (tag === 4) glyph.height = pbf.readVarint();
  else if (tag === 5) glyph.left = pbf.readSVarint();
  else if (tag === 6) glyph.top = pbf.readSVarint();
  else if (tag === 7) glyph.advance = pbf.readVarint();
}

function readFontStack(tag: number, stack: FontStack, pbf: PbfReader): void {
  if (tag === 1) stack.name = pbf.readString();
  else if (tag === 2) stack.range = pbf.readString();
  else if (tag === 3)
    stack.glyphs.push(pbf.readMessage(readGlyph, { id: 0, width: 0, height: 0, left: 0, top: 0, advance: 0 }));
}

async function decode(stack: string, range: string): Promise<FontStack[]> {
  const bytes = await readFile(path.join(FONTS, stack, `${range}.pbf`));
  return new PbfReader(bytes).readFields((tag, stacks: FontStack[], pbf) => {
    if (tag === 1) stacks.push(pbf.readMessage(readFontStack, { name: '', range: '', glyphs: [] }));
  }, []);
}

describe('label glyph PBFs', () => {
  it.each(STACKS)('%s has all 256 BMP ranges, each one valid font stack', async (stack) => {
    const files = await readdir(path.join(FONTS, stack));
    expect(files).toHaveLength(256);
    for (let start = 0; start < 0x10000; start += 256) {
      const range = `${start}-${start + 255}`;
      const [only, ...rest] = await decode(stack, range);
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ name: stack, range });
      for (const glyph of only!.glyphs) {
        expect(glyph.id >= start && glyph.id <= start + 255).toBe(true);
        // MapLibre builds an AlphaImage of this size and throws on any other length.
        expect(glyph.bitmap?.length, `U+${glyph.id.toString(16)}`).toBe(
          (glyph.width + 2 * BORDER) * (glyph.height + 2 * BORDER),
        );
      }
    }
  });

  it.each([
    ['0-255', ['A', 'g', 'é', 'ñ', ' ']],
    ['256-511', ['Œ', 'ő']],
    ['1536-1791', ['ب', 'ع', '،']],
    ['65024-65279', ['\uFE91', '\uFEFB']], // beh initial form, lam-alef ligature: what Arabic shaping draws
    ['8192-8447', ['–', '’', '…']],
  ])('range %s carries %j in both stacks', async (range, characters) => {
    for (const stack of STACKS) {
      const [decoded] = await decode(stack, range);
      const byId = new Map(decoded!.glyphs.map((glyph) => [glyph.id, glyph]));
      for (const character of characters) {
        const glyph = byId.get(character.codePointAt(0)!);
        expect(glyph, `${stack} ${character}`).toBeDefined();
        expect(glyph!.advance).toBeGreaterThan(0);
        if (character !== ' ') expect(glyph!.width * glyph!.height).toBeGreaterThan(0);
      }
    }
  });

  it('bold is drawn heavier than regular', async () => {
    const [regular] = await decode('Noto Sans Regular', '0-255');
    const [bold] = await decode('Noto Sans Bold', '0-255');
    const inked = (stack: FontStack) =>
      stack.glyphs.find((glyph) => glyph.id === 0x48)!.bitmap!.filter((value) => value > 192).length;
    expect(inked(bold!)).toBeGreaterThan(inked(regular!) * 1.2);
  });
});
