import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CONTRACT_FILES, generateContracts } from '../../scripts/contracts.js';
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
    expect(line === -1 && fresh.length === old.length, `${file} is out of date from line ${line + 1}: run npm run generate`).toBe(true);
  });
});
