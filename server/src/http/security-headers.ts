import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';

/**
 * helmet's headers with a Content-Security-Policy the web app works under: its scripts, styles,
 * fonts and MapLibre's worker (web/dist/assets/maplibre-gl-worker-*.mjs) are same-origin files;
 * MapLibre also makes images and workers from blob: URLs and decodes glyphs and tiles that it
 * fetches itself (connect-src). MapLibre and Chart.js set element styles from script, which CSP
 * allows without 'unsafe-inline'; the summary page has one inline <style>, hence style-src's
 * 'unsafe-inline' (styles cannot run code). A hosted basemap (BASEMAP_STYLE_URL) fetches tiles,
 * sprites and glyphs from other hosts, so it opens connect-src and img-src to https:.
 */
export function securityHeaders(config: Config): RequestHandler {
  const hostedBasemap = config.BASEMAP_STYLE_URL ? ['https:'] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...hostedBasemap],
        imgSrc: ["'self'", 'data:', 'blob:', ...hostedBasemap],
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only behind TLS: on plain HTTP it would send the browser to an https:// that is not there.
        ...(config.COOKIE_SECURE ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only means something over TLS, which COOKIE_SECURE says the deployment has.
    strictTransportSecurity: config.COOKIE_SECURE ? { maxAge: 180 * 86_400 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
