// npm run build:glyphs — the SDF label glyphs the offline map ships, as MapLibre glyph PBF ranges
// under web/public/fonts/<font stack>/<start>-<end>.pbf. No npm package ships such ranges, so they
// are drawn once with @mapbox/tiny-sdf in headless Chromium from the Noto fonts of
// @fontsource/noto-sans and @fontsource/noto-sans-arabic, and committed. See web/public/fonts/README.md.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PbfWriter } from 'pbf';
import { launchBrowser } from '../tests/helpers/browser.js';
import { woffCodePoints } from './glyphs/woff-cmap.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FONTSOURCE = path.join(ROOT, 'node_modules/@fontsource');
const OUTPUT = path.join(ROOT, 'web/public/fonts');

// MapLibre's glyph conventions (style/parse_glyph_pbf.ts, render/glyph_manager.ts): 24 px em, a
// 3 px border around every bitmap, SDF radius 8 with cutoff 0.25, 256 code points per range.
const FONT_SIZE = 24;
const BORDER = 3;
const RADIUS = 8;
const CUTOFF = 0.25;
const RANGE_SIZE = 256;
const LAST_CODE_POINT = 0xffff; // MapLibre asks for BMP ranges only
// TinySDF measures "top" from the baseline; PBF glyphs measure it from above the em box.
// MapLibre aligns its own TinySDF glyphs with PBF ones by this offset (topAdjustment).
const TOP_ADJUSTMENT = 27.5;

/** Subset files in priority order: a code point comes from the first file that has it. */
const SUBSETS: Array<{ pkg: string; subset: string }> = [
  ...['latin', 'latin-ext', 'vietnamese', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext'].map((subset) => ({
    pkg: 'noto-sans',
    subset,
  })),
  { pkg: 'noto-sans-arabic', subset: 'arabic' },
];
const STACKS = [
  { name: 'Noto Sans Regular', weight: 400 },
  { name: 'Noto Sans Bold', weight: 700 },
];

interface FontFile {
  family: string;
  pkg: string;
  file: string;
}
interface Job {
  family: string;
  codePoints: number[];
}
/** [id, bitmap (base64), width, height, left, top, advance], as drawn by TinySDF. */
type DrawnGlyph = [number, string, number, number, number, number, number];

const fontPath = (font: FontFile, ext: 'woff' | 'woff2') =>
  path.join(FONTSOURCE, font.pkg, 'files', `${font.file}.${ext}`);
const isDrawable = (codePoint: number) => !/\p{Cc}|\p{Cs}/u.test(String.fromCodePoint(codePoint));

/** One job per subset file with the code points it is the first to cover. */
async function planJobs(weight: number, stackIndex: number): Promise<{ fonts: FontFile[]; jobs: Job[] }> {
  const fonts: FontFile[] = SUBSETS.map(({ pkg, subset }, i) => ({
    family: `sg-${stackIndex}-${i}`,
    pkg,
    file: `${pkg}-${subset}-${weight}-normal`,
  }));
  const taken = new Set<number>();
  const jobs: Job[] = [];
  for (const font of fonts) {
    const own = [...(await woffCodePoints(fontPath(font, 'woff')))]
      .filter((codePoint) => codePoint <= LAST_CODE_POINT && !taken.has(codePoint) && isDrawable(codePoint))
      .sort((a, b) => a - b);
    own.forEach((codePoint) => taken.add(codePoint));
    if (own.length) jobs.push({ family: font.family, codePoints: own });
  }
  return { fonts, jobs };
}

// Each subset file is its own family, so Chromium cannot fall back to a system font mid-range.
const pageHtml = (fonts: FontFile[]) => `<!doctype html><meta charset="utf-8"><style>
${fonts.map((font) => `@font-face{font-family:"${font.family}";src:url("/font/${font.pkg}/${font.file}.woff2") format("woff2")}`).join('\n')}
</style><script type="module">
import TinySDF from '/tiny-sdf.js';
window.renderGlyphs = async (jobs) => {
  const drawn = [];
  for (const job of jobs) {
    const loaded = await document.fonts.load('${FONT_SIZE}px "' + job.family + '"', String.fromCodePoint(job.codePoints[0]));
    if (loaded.length === 0) throw new Error('font ' + job.family + ' did not load');
    const sdf = new TinySDF({ fontSize: ${FONT_SIZE}, buffer: ${BORDER}, radius: ${RADIUS}, cutoff: ${CUTOFF}, fontFamily: '"' + job.family + '"' });
    for (const id of job.codePoints) {
      const glyph = sdf.draw(String.fromCodePoint(id));
      let binary = '';
      for (const byte of glyph.data) binary += String.fromCharCode(byte);
      drawn.push([id, btoa(binary), glyph.glyphWidth, glyph.glyphHeight, glyph.glyphLeft, glyph.glyphTop, glyph.glyphAdvance]);
    }
  }
  return drawn;
};
window.glyphPageReady = true;
</script>`;

/** Serves the page, TinySDF and the font files to the browser on a loopback port. */
async function startPageServer(fonts: FontFile[]) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (type: string, body: Buffer | string) => response.writeHead(200, { 'content-type': type }).end(body);
    const font = fonts.find((candidate) => url.pathname === `/font/${candidate.pkg}/${candidate.file}.woff2`);
    if (url.pathname === '/') send('text/html', pageHtml(fonts));
    else if (url.pathname === '/tiny-sdf.js')
      readFile(path.join(ROOT, 'node_modules/@mapbox/tiny-sdf/index.js')).then((body) => send('text/javascript', body));
    else if (font) readFile(fontPath(font, 'woff2')).then((body) => send('font/woff2', body));
    else response.writeHead(404).end();
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

function encodeRange(stack: string, start: number, glyphs: DrawnGlyph[]): Uint8Array {
  const pbf = new PbfWriter();
  pbf.writeMessage(
    1,
    (_: unknown, fontstack: PbfWriter) => {
      fontstack.writeStringField(1, stack);
      fontstack.writeStringField(2, `${start}-${start + RANGE_SIZE - 1}`);
      for (const [id, bitmap, width, height, left, top, advance] of glyphs) {
        fontstack.writeMessage(
          3,
          (__: unknown, glyph: PbfWriter) => {
            glyph.writeVarintField(1, id);
            glyph.writeBytesField(2, Buffer.from(bitmap, 'base64'));
            glyph.writeVarintField(3, width);
            glyph.writeVarintField(4, height);
            glyph.writeSVarintField(5, left);
            glyph.writeSVarintField(6, Math.round(top - TOP_ADJUSTMENT));
            glyph.writeVarintField(7, Math.round(advance));
          },
          null,
        );
      }
    },
    null,
  );
  return pbf.finish();
}

async function buildStack(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  stack: (typeof STACKS)[number],
  index: number,
) {
  const { fonts, jobs } = await planJobs(stack.weight, index);
  const server = await startPageServer(fonts);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction('window.glyphPageReady === true');
    const drawn = (await page.evaluate(`renderGlyphs(${JSON.stringify(jobs)})`)) as DrawnGlyph[];
    const byRange = new Map<number, DrawnGlyph[]>();
    for (const glyph of drawn) {
      const start = Math.floor(glyph[0] / RANGE_SIZE) * RANGE_SIZE;
      byRange.set(start, [...(byRange.get(start) ?? []), glyph]);
    }
    const dir = path.join(OUTPUT, stack.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    let bytes = 0;
    // Every range gets a file, empty ones too: MapLibre then never meets a 404 for a label.
    for (let start = 0; start <= LAST_CODE_POINT; start += RANGE_SIZE) {
      const encoded = encodeRange(stack.name, start, byRange.get(start) ?? []);
      bytes += encoded.length;
      await writeFile(path.join(dir, `${start}-${start + RANGE_SIZE - 1}.pbf`), encoded);
    }
    console.log(`${stack.name}: ${drawn.length} glyphs in ${byRange.size} ranges, ${(bytes / 1024).toFixed(0)} KiB`);
  } finally {
    await context.close();
    server.close();
  }
}

/** The OFL asks that the notices travel with anything derived from the fonts. */
async function copyLicences(): Promise<void> {
  const packages = [...new Set(SUBSETS.map(({ pkg }) => pkg))];
  const texts = await Promise.all(
    packages.map(
      async (pkg) => `== @fontsource/${pkg} ==\n\n${await readFile(path.join(FONTSOURCE, pkg, 'LICENSE'), 'utf8')}`,
    ),
  );
  await writeFile(path.join(OUTPUT, 'OFL.txt'), texts.join('\n\n'));
}

async function main(): Promise<void> {
  await mkdir(OUTPUT, { recursive: true });
  await copyLicences();
  const browser = await launchBrowser();
  try {
    for (const [index, stack] of STACKS.entries()) await buildStack(browser, stack, index);
  } finally {
    await browser.close();
  }
}

await main();
