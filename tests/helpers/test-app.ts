import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { createServer } from '../../server/src/app.js';
import { checkResponsesAgainstSchemas } from '../../server/src/http/route.js';
import { type Config, loadConfig } from '../../server/src/config.js';
import { createDb, type Db } from '../../server/src/db/pool.js';
import type { UserRole } from '../../server/src/db/database.js';
import { createToken, createUser } from '../../server/src/auth/auth.service.js';
import { cloneTemplate } from './database.js';
import { testFetch } from './http.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestApp {
  base: string;
  /** The URL of this app's cloned database (for running CLI scripts against it). */
  databaseUrl: string;
  db: Db;
  config: Config;
  api: <T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string },
  ) => Promise<ApiResponse<T>>;
  /** A user of the given role with a bearer token. */
  user: (
    role: UserRole,
    scope?: { country?: string; organisation?: string },
  ) => Promise<{ token: string; id: string; organisationId: string | null }>;
  close: () => Promise<void>;
}

let userCounter = 0;

// Every JSON answer a test provokes is checked against the schema documented for its status: a
// mismatch answers 500 undocumented_response, naming the field, and fails the test that saw it.
checkResponsesAgainstSchemas();

/**
 * The real app on an ephemeral port over a database cloned from the migrated template, or over
 * `database` (dropped on close by its own `drop`).
 */
export async function startTestApp(
  overrides: Partial<Config> = {},
  database?: { url: string; drop: () => Promise<void> },
): Promise<TestApp> {
  const clone = database ?? (await cloneTemplate(inject('databaseServerUrl')));
  const config: Config = Object.freeze({
    ...loadConfig({}),
    DATABASE_URL: clone.url,
    LOAD_DEMO_DATA: false,
    ...overrides,
  });
  const db = createDb(clone.url);
  const server = createServer(db, config).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: TestApp['api'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await testFetch(base + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };

  // Operators and donors act for an organisation; tests that don't care share one per role.
  const DEFAULT_ORGANISATION: Partial<Record<UserRole, string>> = { operator: 'Test operator', donor: 'Test donor' };
  const user: TestApp['user'] = async (role, scope = {}) => {
    userCounter += 1;
    const actor = await createUser(db, {
      email: `${role}-${userCounter}-${Date.now()}@example.test`,
      password: 'correct horse battery staple',
      role,
      country: scope.country,
      organisation: scope.organisation ?? DEFAULT_ORGANISATION[role],
    });
    const { token } = await createToken(db, actor, 'test', undefined);
    return { token, id: actor.id, organisationId: actor.organisation_id };
  };

  return {
    base,
    databaseUrl: clone.url,
    db,
    config,
    api,
    user,
    close: async () => {
      server.close();
      await db.destroy();
      await clone.drop();
    },
  };
}
