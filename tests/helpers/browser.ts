// Real Chromium for the browser tests, the glyph builder and the page-load benchmark: Debian's
// `chromium` package driven by playwright-core. Playwright's own browser download cannot work on
// machines with a closed network, so the project installs the distribution's build itself.
import { access, constants } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { aptInstaller, isRoot, type Log, which } from '../../server/src/db/local-postgis.install.js';

const DEBIAN_PATH = '/usr/bin/chromium';
const INSTALL_HINT =
  'sudo apt-get install chromium   (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium/Chrome binary';

const isExecutable = (file: string): Promise<boolean> =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/** The Chromium binary: CHROMIUM_PATH, /usr/bin/chromium, or `chromium` on PATH; null if none. */
export async function findChromium(): Promise<string | null> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (await isExecutable(configured)) return configured;
    throw new Error(`CHROMIUM_PATH=${configured} is not an executable file`);
  }
  if (await isExecutable(DEBIAN_PATH)) return DEBIAN_PATH;
  return which('chromium');
}

/** Finds Chromium, installing Debian's package as root when it is missing; otherwise says what to run. */
export async function ensureChromium(log: Log = console.log): Promise<string> {
  const found = await findChromium();
  if (found) return found;
  if (!isRoot() || !(await which('apt-get'))) {
    throw new Error(`Chromium is needed for the browser tests and was not found. Install it:\n  ${INSTALL_HINT}`);
  }
  await aptInstaller(log)(['chromium']);
  const installed = await findChromium();
  if (!installed) throw new Error(`apt-get installed chromium but ${DEBIAN_PATH} is still missing`);
  return installed;
}

/**
 * The switches every launch uses. Background networking, component updates and sync make
 * Chromium call Google's hosts, which a closed network refuses (and which would break the
 * "no request leaves localhost" promise); the GL switches give WebGL through SwiftShader with no GPU.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export interface LaunchedBrowser {
  browser: Browser;
  /** A context with a fixed viewport and locale, so screenshots and number formats are stable. */
  newContext: (options?: Parameters<Browser['newContext']>[0]) => Promise<BrowserContext>;
  close: () => Promise<void>;
}

/**
 * Headless Chromium. Playwright gives every launch a fresh temporary --user-data-dir and deletes it
 * on close, so no profile state (cache, storage) leaks from one run into the next.
 */
export async function launchBrowser(options: { log?: Log; headless?: boolean } = {}): Promise<LaunchedBrowser> {
  const executablePath = await ensureChromium(options.log);
  const browser = await chromium.launch({ executablePath, headless: options.headless ?? true, args: CHROMIUM_ARGS });
  return {
    browser,
    newContext: (contextOptions) =>
      browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', ...contextOptions }),
    close: () => browser.close(),
  };
}
