import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT_FILES, generateContracts } from '../../scripts/contracts.js';
import { errorHandler } from '../../server/src/http/error-middleware.js';
import { checkResponsesAgainstSchemas, defineRoute } from '../../server/src/http/route.js';
import { cloneTemplate } from '../helpers/database.js';

// The OpenAPI document, the web app's API types and the database types are generated
// (npm run generate) and committed; a change to a route, a zod schema or a migration that is not
// followed by a fresh generation fails here.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let clone: Awaited<ReturnType<typeof cloneTemplate>>;
let generated: Record<string, string>;

beforeAll(async () => {
  // The template database is migrated from sql/ exactly as `npm run generate` migrates its own.
  clone = await cloneTemplate(inject('databaseServerUrl'));
  generated = await generateContracts(clone.url);
});
afterAll(() => clone?.drop());

describe('generated contracts', () => {
  it.each(Object.values(CONTRACT_FILES))('%s is what npm run generate writes today', async (file) => {
    const committed = await readFile(path.join(ROOT, file), 'utf8');
    // toBe on the whole text would print 200 kB; the first differing line says enough.
    const fresh = generated[file]!.split('\n');
    const old = committed.split('\n');
    const line = fresh.findIndex((text, index) => text !== old[index]);
    expect(
      line === -1 && fresh.length === old.length,
      `${file} is out of date from line ${line + 1}: run npm run generate`,
    ).toBe(true);
  });
});

describe('documented responses', () => {
  // The test app checks every JSON answer against the schema its route documents for that status
  // (tests/helpers/test-app.ts); this is the check itself, on a route whose document lies.
  it('an answer that does not fit its documented schema, or an undocumented status, is a 500 naming the field', async () => {
    checkResponsesAgainstSchemas();
    const router = express.Router();
    const Count = z.object({ count: z.number().int() });
    const lie = (status: number, body: unknown) => async () => ({ status, body: body as z.input<typeof Count> });
    const route = {
      tag: 'test',
      summary: 'test',
      auth: 'public',
      responses: { 200: { description: 'a count', schema: Count } },
    } as const;
    defineRoute(router, new OpenAPIRegistry(), '', {
      ...route,
      method: 'get',
      path: '/true',
      handler: lie(200, { count: 3 }),
    });
    defineRoute(router, new OpenAPIRegistry(), '', {
      ...route,
      method: 'get',
      path: '/wrong-type',
      handler: lie(200, { count: 'three' }),
    });
    defineRoute(router, new OpenAPIRegistry(), '', {
      ...route,
      method: 'get',
      path: '/undocumented',
      handler: lie(201, { count: 3 }),
    });
    const app = express().use(router).use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/true`)).status).toBe(200);
      const wrong = await fetch(`${base}/wrong-type`);
      expect(wrong.status).toBe(500);
      expect(await wrong.json()).toMatchObject({
        error: { code: 'undocumented_response', details: [{ path: 'response.count' }] },
      });
      const undocumented = await fetch(`${base}/undocumented`);
      expect(undocumented.status).toBe(500);
      expect(await undocumented.json()).toMatchObject({ error: { code: 'undocumented_response' } });
    } finally {
      server.close();
    }
  });
});
