import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

// The README's shell examples, run as written against a running app: a reader who copies them
// must get what the README says. The only change is the address: the README's
// http://127.0.0.1:8080 becomes this file's app. `npm run user:create` reaches the same database
// through DATABASE_URL, as it would on a reader's machine through the default one.

const ROOT = path.resolve(import.meta.dirname, '../..');
const README_ADDRESS = 'http://127.0.0.1:8080';

let app: TestApp;
let readme: string;
let workDir: string;

beforeAll(async () => {
  app = await startTestApp();
  readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  // Inside the checkout (npm finds package.json above it); the examples write a `cookies` file here.
  workDir = await mkdtemp(path.join(ROOT, '.data', 'readme-examples-'));
});
afterAll(async () => {
  await app?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Every ```sh block of the README that talks to a running app (curl, or creating its users). */
function apiExamples(text: string): string[] {
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  return blocks.filter((block) => /\bcurl\b|npm run user:create/.test(block));
}

/** The JSON document the output ends with (curl prints answers without a newline between them). */
function lastJson(output: string): any {
  const text = output.trim();
  for (let at = text.lastIndexOf('{'); at >= 0; at = text.lastIndexOf('{', at - 1)) {
    try {
      return JSON.parse(text.slice(at));
    } catch {
      // not where the last document starts; look further back
    }
  }
  return undefined;
}

describe('README shell examples', () => {
  it('creating a user, logging in and making an API token work as written', async () => {
    const examples = apiExamples(readme);
    expect(examples.length).toBeGreaterThan(0);
    const script = examples.join('\n').replaceAll(README_ADDRESS, app.base);
    expect(script).not.toContain(':8080');
    // One bash, as a reader's terminal: variables set in one line are seen by the next.
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: workDir,
      env: { ...process.env, DATABASE_URL: app.databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });
    // The last example prints the new token; an error answer ({"error": ...}) would be a failure.
    const answer = lastJson(stdout);
    expect(answer, stdout).toMatchObject({ name: 'my script', token: expect.stringMatching(/^sg_/) });
    const me = await app.api('GET', '/api/v1/auth/me', { token: answer.token });
    expect(me.body).toMatchObject({ email: 'nmac@example.org', role: 'national_authority', country_iso3: 'LAO' });
  });

  it('every OpenAPI location the README points to exists in the document', async () => {
    const document = (await app.api('GET', '/api/v1/openapi.json')).body;
    const pointers = [...readme.matchAll(/`components\.schemas\.(\w+)`(?: \(([^)]*)\))?/g)];
    expect(pointers.length).toBeGreaterThan(0);
    for (const [, schema, properties] of pointers) {
      const component = document.components.schemas[schema!];
      expect(component, schema).toBeDefined();
      for (const property of [...(properties ?? '').matchAll(/`([\w.[\]]+)`/g)].map((m) => m[1]!)) {
        // `years[].remaining_km2`: a property of the array's items.
        const found = property.split('.').reduce<any>((node, key) => {
          const name = key.replace('[]', '');
          const next = node?.properties?.[name];
          return key.endsWith('[]') ? next?.items : next;
        }, component);
        expect(found?.description, `${schema}.${property}`).toEqual(expect.any(String));
      }
    }
  });
});
