import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/src/auth/auth.service.js';
import { HttpError } from '../../server/src/http/http-error.js';
import { passwordProblem } from '../../server/src/auth/password-policy.js';
import { expectError, rowCounts } from '../helpers/features.js';
import { type TestApp, startTestApp } from '../helpers/test-app.js';
import { testFetch } from '../helpers/http.js';

// Security headers, login limits and lockout, password policy, CSRF for cookie
// writes, logout, session expiry and token revocation, and 4xx for malformed requests.

const PASSWORD = 'correct horse battery staple'; // what startTestApp gives its users
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    LOGIN_LOCKOUT_ATTEMPTS: 3,
    LOGIN_LOCKOUT_MINUTES: 10,
    LOGIN_RATE_LIMIT_PER_ACCOUNT: 5,
    LOGIN_RATE_LIMIT_PER_IP: 1000,
  });
});
afterAll(() => app?.close());

const emailOf = async (id: string) =>
  (await app.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
const login = (email: string, password = PASSWORD, target = app) =>
  target.api('POST', '/api/v1/auth/login', { body: { email, password } });

async function session(role: 'viewer' | 'admin' = 'viewer') {
  const user = await app.user(role);
  const email = await emailOf(user.id);
  const res = await login(email);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { ...user, email, cookie, csrf: res.body.csrf_token as string };
}

describe('security headers', () => {
  it.each(['/', '/api/v1/countries'])('%s carries helmet headers and a CSP the web app works under', async (path) => {
    const res = await testFetch(app.base + path);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests'); // plain HTTP here (COOKIE_SECURE=false)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('login limits and lockout', () => {
  it('consecutive failures lock the account: even the right password is refused until the lock ends', async () => {
    const user = await app.user('viewer');
    const email = await emailOf(user.id);
    for (let i = 0; i < 3; i++) expectError(await login(email, 'wrong password, sorry'), 401);
    const locked = await login(email);
    expect(expectError(locked, 401).code).toBe('invalid_credentials');
    expect(locked.headers.get('set-cookie')).toBeNull();
    const audit = await app.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity', '=', 'user')
      .where('entity_id', '=', user.id)
      .execute();
    expect(audit.map((row) => row.action)).toContain('lock');

    await sql`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = ${user.id}`.execute(app.db);
    expect((await login(email)).status).toBe(200);
    const row = await app.db
      .selectFrom('users')
      .select(['failed_logins', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('a locked account answers exactly like an unknown email, so the lock tells nobody the email is registered', async () => {
    const email = await emailOf((await app.user('viewer')).id);
    for (let i = 0; i < 3; i++) expectError(await login(email, 'wrong password, sorry'), 401);
    const answer = async (address: string, password: string) => {
      const res = await login(address, password);
      return {
        status: res.status,
        body: res.body,
        cookie: res.headers.get('set-cookie'),
        retryAfter: res.headers.get('retry-after'),
      };
    };
    const unknown = await answer('never-registered@example.test', 'wrong password, sorry');
    expect(unknown.status).toBe(401);
    expect(await answer(email, 'wrong password, sorry')).toEqual(unknown);
    expect(await answer(email, PASSWORD)).toEqual(unknown);
  });

  it('a success resets the count of failures', async () => {
    const email = await emailOf((await app.user('viewer')).id);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expectError(await login(email, 'wrong password, sorry'), 401);
      expect((await login(email)).status).toBe(200);
    }
  });

  it('limits attempts per account address even when it has no account (429 with Retry-After)', async () => {
    const email = 'nobody-here@example.test';
    for (let i = 0; i < 5; i++) expectError(await login(email), 401);
    const res = await login(email);
    expect(expectError(res, 429).code).toBe('too_many_requests');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-policy')).toMatch(/^5;w=900/);
  });

  it('limits failed attempts per IP address across accounts; successful logins do not count', async () => {
    const strict = await startTestApp({ LOGIN_RATE_LIMIT_PER_IP: 3 });
    try {
      const email = await (async () => {
        const user = await strict.user('viewer');
        return (await strict.db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow())
          .email;
      })();
      for (let i = 0; i < 4; i++) expect((await login(email, PASSWORD, strict)).status).toBe(200);
      for (let i = 0; i < 3; i++) expectError(await login(`guess-${i}@example.test`, PASSWORD, strict), 401);
      expectError(await login('guess-9@example.test', PASSWORD, strict), 429);
      expectError(await login(email, PASSWORD, strict), 429);
    } finally {
      await strict.close();
    }
  });
});

describe('password policy', () => {
  it.each([
    ['shorter than 12 characters', 'Short1!pass', /at least 12/],
    ['the email address', 'policy-check@example.test', /email/],
    ['containing the mailbox name', 'policy-check-2024!', /email/],
    ['of a short mailbox name, the email address and a year', 'ab@t.org-2024', /email/, 'ab@t.org'],
    ['built around a short mailbox name', 'ab2024-ab2024!', /email/, 'ab@t.org'],
    ['a common password', 'Password1234', /common/],
    ['one character repeated', 'zzzzzzzzzzzzzz', /common|different characters/],
  ])('createUser refuses a password %s', async (_name, password, message, email = 'policy-check@example.test') => {
    const attempt = createUser(app.db, { email, password, role: 'viewer' });
    await expect(attempt).rejects.toBeInstanceOf(HttpError);
    await expect(attempt).rejects.toThrow(message);
    expect(await app.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([]);
  });

  it('a short mailbox name does not forbid ordinary words that happen to contain it', () => {
    expect(passwordProblem('a long absent-minded phrase', 'ab@t.org')).toBeNull();
  });

  it('npm run user:create refuses a weak password before touching the database', async () => {
    const run = promisify(execFile)(
      'npx',
      [
        'tsx',
        'scripts/user-create.ts',
        '--email',
        'weak@example.test',
        '--password',
        'password1234',
        '--role',
        'viewer',
      ],
      {
        env: { ...process.env, DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none' },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/common password/) });
  });

  it('POST /auth/password checks the current password and the policy, then ends the other sessions', async () => {
    const first = await session();
    const second = await login(first.email);
    const secondCookie = second.headers.get('set-cookie')!.split(';')[0]!;
    const change = (current: string, next: string) =>
      app.api('POST', '/api/v1/auth/password', {
        headers: { cookie: first.cookie, 'x-csrf-token': first.csrf },
        body: { current_password: current, new_password: next },
      });
    expectError(await change('not my password!', 'a much better passphrase'), 403);
    expect(expectError(await change(PASSWORD, 'password1234'), 400).details[0].path).toBe('body.new_password');
    expect((await change(PASSWORD, 'a much better passphrase')).status).toBe(204);
    expect((await app.api('GET', '/api/v1/auth/me', { headers: { cookie: first.cookie } })).status).toBe(200);
    expectError(await app.api('GET', '/api/v1/auth/me', { headers: { cookie: secondCookie } }), 401);
    expectError(await login(first.email), 401);
    expect((await login(first.email, 'a much better passphrase')).status).toBe(200);
  });
});

describe('CSRF protection of cookie-authenticated writes', () => {
  it('a cookie write needs the X-CSRF-Token from login; GET /auth/me repeats it', async () => {
    const user = await session();
    const create = (headers: Record<string, string>) =>
      app.api('POST', '/api/v1/auth/tokens', { headers: { cookie: user.cookie, ...headers }, body: { name: 'csrf' } });
    const before = await rowCounts(app);
    expect(expectError(await create({}), 403).code).toBe('csrf_token_invalid');
    expect(
      expectError(await create({ 'x-csrf-token': user.csrf.slice(0, -1) + (user.csrf.endsWith('A') ? 'B' : 'A') }), 403)
        .code,
    ).toBe('csrf_token_invalid');
    expect(await rowCounts(app)).toEqual(before);
    const me = await app.api('GET', '/api/v1/auth/me', { headers: { cookie: user.cookie } });
    expect(me.body.csrf_token).toBe(user.csrf);
    expect((await create({ 'x-csrf-token': me.body.csrf_token })).status).toBe(201);
  });

  it('bearer-token requests are exempt and have no CSRF token', async () => {
    const { token } = await app.user('viewer');
    expect((await app.api('GET', '/api/v1/auth/me', { token })).body.csrf_token).toBeNull();
    expect((await app.api('POST', '/api/v1/auth/tokens', { token, body: { name: 'no csrf needed' } })).status).toBe(
      201,
    );
  });

  it('logging in again with a live cookie needs no token', async () => {
    const user = await session();
    const res = await app.api('POST', '/api/v1/auth/login', {
      headers: { cookie: user.cookie },
      body: { email: user.email, password: PASSWORD },
    });
    expect(res.status).toBe(200);
  });
});

describe('sessions and tokens end', () => {
  it('logout ends the session (and needs the CSRF token)', async () => {
    const user = await session();
    expectError(await app.api('POST', '/api/v1/auth/logout', { headers: { cookie: user.cookie } }), 403);
    const res = await app.api('POST', '/api/v1/auth/logout', {
      headers: { cookie: user.cookie, 'x-csrf-token': user.csrf },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/sg_session=;/);
    expectError(await app.api('GET', '/api/v1/auth/me', { headers: { cookie: user.cookie } }), 401);
  });

  it('an expired session no longer authenticates', async () => {
    const user = await session();
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`.execute(app.db);
    expectError(await app.api('GET', '/api/v1/auth/me', { headers: { cookie: user.cookie } }), 401);
  });

  it("DELETE /auth/tokens/{id} revokes your own token at once; others' are 404 unless you are an admin", async () => {
    const owner = await app.user('viewer');
    const other = await app.user('viewer');
    const admin = await app.user('admin');
    const make = async () =>
      (await app.api('POST', '/api/v1/auth/tokens', { token: owner.token, body: { name: 'to revoke' } })).body;
    const mine = await make();
    expectError(await app.api('DELETE', `/api/v1/auth/tokens/${mine.id}`, { token: other.token }), 404);
    expect((await app.api('DELETE', `/api/v1/auth/tokens/${mine.id}`, { token: owner.token })).status).toBe(204);
    expectError(await app.api('GET', '/api/v1/auth/me', { token: mine.token }), 401);
    expectError(await app.api('DELETE', `/api/v1/auth/tokens/${mine.id}`, { token: owner.token }), 404);
    const listed = (await app.api('GET', '/api/v1/auth/tokens', { token: owner.token })).body;
    expect(listed.find((t: { id: number }) => t.id === mine.id).revoked_at).toEqual(expect.any(String));
    expect(JSON.stringify(listed)).not.toContain(mine.token);

    const another = await make();
    expect((await app.api('DELETE', `/api/v1/auth/tokens/${another.id}`, { token: admin.token })).status).toBe(204);
    expectError(await app.api('GET', '/api/v1/auth/me', { token: another.token }), 401);
    const audit = await app.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'revoke').execute();
    expect(audit.map((row) => row.entity_id)).toEqual(expect.arrayContaining([String(mine.id), String(another.id)]));
  });
});

describe('malformed requests are 4xx, never 500', () => {
  let token: string;
  beforeAll(async () => {
    token = (await app.user('admin')).token;
  });

  it.each([
    ['a form body', 415, 'application/x-www-form-urlencoded', 'name=x'],
    ['a text body', 415, 'text/plain', '{"name":"x"}'],
    ['malformed JSON', 400, 'application/json', '{"name":'],
    ['a JSON string', 400, 'application/json', '"name"'],
    ['JSON in an unsupported charset', 415, 'application/json; charset=latin-9', '{"name":"x"}'],
    ['a NUL character PostgreSQL cannot store', 400, 'application/json', '{"name":"a\\u0000b"}'],
    [
      'invalid UTF-8',
      400,
      'application/json',
      Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]),
    ],
  ] as const)('%s is answered %i', async (_name, status, type, body) => {
    const res = await testFetch(`${app.base}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body,
    });
    expect(res.status).toBe(status);
    if (status >= 400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
  });

  it.each([
    ['an unknown query key where none are declared', 400, 'GET', '/api/v1/auth/me?debug=1'],
    ['an id that is not a number', 400, 'DELETE', '/api/v1/auth/tokens/abc'],
    ['an id over 2^53', 400, 'DELETE', '/api/v1/auth/tokens/99999999999999999999'],
    ['an id of 1e999', 400, 'DELETE', '/api/v1/auth/tokens/1e999'],
    ['a percent-encoded NUL in the path', 400, 'GET', '/api/v1/countries/%00AB'],
    ['a broken percent-encoding in the path', 400, 'GET', '/api/v1/hazards/%E0%A4%A'],
  ])('%s is answered %i', async (_name, status, method, path) => {
    expectError(await app.api(method, path, { token }), status);
  });
});
