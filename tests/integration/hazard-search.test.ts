// GET /hazards?ref=: the search box of the task proposal form. A prefix of the reference, case
// ignored; the LIKE wildcards a user types match only themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangle } from '../helpers/geo.js';
import { hazardFeature } from '../helpers/features.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';

let app: TestApp;
const ids = new Map<string, number>();

beforeAll(async () => {
  app = await startTestApp();
  const authority = (await app.user('national_authority', { country: 'LAO' })).token;
  const refs = ['ABC-1', 'abc-2', 'A%C-3', 'AxC-4', 'XABC-5'];
  for (const [i, ref] of refs.entries()) {
    const lng = 103.1 + i * 0.03;
    const res = await app.api('POST', '/api/v1/hazards', {
      token: authority,
      body: hazardFeature(rectangle(lng, 19.4, lng + 0.01, 19.41), { external_ref: ref }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.set(ref, res.body.id);
  }
});
afterAll(async () => {
  await app?.close();
});

const found = async (query: string) => {
  const res = await app.api('GET', `/api/v1/hazards?country=LAO&${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.features.map((f: any) => f.properties.external_ref).sort();
};

describe('GET /hazards?ref=', () => {
  it('finds the hazards whose reference starts with the text, ignoring case', async () => {
    await expect(found('ref=abc')).resolves.toEqual(['ABC-1', 'abc-2']);
    await expect(found('ref=ABC-1')).resolves.toEqual(['ABC-1']);
  });

  it('takes % and _ as themselves, not as wildcards', async () => {
    await expect(found(`ref=${encodeURIComponent('A%')}`)).resolves.toEqual(['A%C-3']);
    await expect(found('ref=A_C')).resolves.toEqual([]);
  });

  it('refuses an empty search, naming it', async () => {
    const res = await app.api('GET', '/api/v1/hazards?ref=');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('ref');
  });
});
