import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { WEB_DIST_DIR, webRoutes } from '../../server/src/web/web.routes.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// The vitest global setup builds web/dist (scripts/build-web.ts), so the real bundle is served here.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ BASEMAP_STYLE_URL: 'https://tiles.example.org/style.json' });
});
afterAll(() => app.close());

describe('web app serving', () => {
  it('answers index.html, never cached, for the paths the client router owns', async () => {
    for (const path of [
      '/',
      '/countries/LAO',
      '/countries/lao?lang=ar&year=2019',
      '/countries/LAO/coalition',
      '/countries/KHM/planner?plan=3',
      '/admin',
      '/donors/12?year=2024',
    ]) {
      const res = await testFetch(app.base + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).toContain('id="map"');
      expect(html).toMatch(/<script type="module"[^>]+src="\/assets\/index-[\w-]+\.js"/);
    }
  });

  it('leaves other paths under /countries and /donors to the 404 handler', async () => {
    for (const path of ['/countries/LAO/extra', '/countries/LAOS', '/donors/abc', '/donors/12/extra']) {
      const res = await app.api('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('serves hashed assets for a year and the rest (glyphs) for a day', async () => {
    const asset = readdirSync(join(WEB_DIST_DIR, 'assets')).find((name) => name.endsWith('.js'))!;
    const res = await testFetch(`${app.base}/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const glyphs = await testFetch(`${app.base}/fonts/Noto%20Sans%20Regular/0-255.pbf`);
    expect(glyphs.status).toBe(200);
    expect(glyphs.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('tells the client which basemap style to use', async () => {
    const res = await app.api('GET', '/app-config.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ basemap_style_url: 'https://tiles.example.org/style.json' });
  });

  it('keeps the server-rendered summary at /summary, linking to the map', async () => {
    const res = await testFetch(`${app.base}/summary`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Safeground</h1>');
    expect(html).toContain('<a href="/">Interactive map</a>');
  });

  it('falls back to the summary at / while the app is not built', async () => {
    const server = express()
      .use(
        webRoutes(loadConfig({}), {
          distDir: '/nonexistent/web/dist/',
          fallback: (_req, res) => void res.send('summary'),
        }),
      )
      .listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await testFetch(`${base}/`)).text()).toBe('summary');
      expect((await testFetch(`${base}/countries/LAO`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('connections', () => {
  it('keeps an idle connection open for KEEP_ALIVE_TIMEOUT_MS, longer than the proxies in front of it', async () => {
    // node:http rather than fetch: fetch does not show the hop-by-hop Keep-Alive header.
    const { get } = await import('node:http');
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      get(`${app.base}/healthz`, { headers: { connection: 'keep-alive' } }, resolve).on('error', reject),
    );
    response.resume();
    expect(response.headers['keep-alive']).toBe(`timeout=${app.config.KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(app.config.KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
  });
});
