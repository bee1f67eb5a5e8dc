import { randomBytes } from 'node:crypto';
import pg from 'pg';
export { schemaFingerprint } from '../../server/src/db/fingerprint.js';

export const TEMPLATE_DB = 'safeground_test_template';

/** The server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function templateFingerprint(url: string): Promise<string | null> {
  return admin(url, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [TEMPLATE_DB],
    );
    return rows[0]?.comment ?? null;
  });
}

export async function recreateDatabase(url: string, name: string, template?: string): Promise<void> {
  await admin(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  });
}

export async function markTemplate(url: string, fingerprint: string): Promise<void> {
  await admin(url, (client) => client.query(`COMMENT ON DATABASE "${TEMPLATE_DB}" IS '${fingerprint.replace(/[^0-9a-f]/g, '')}'`));
}

/** A fresh database for one test file, cloned from the migrated template (fast: a file copy). */
export async function cloneTemplate(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `safeground_test_${randomBytes(4).toString('hex')}`;
  await recreateDatabase(url, name, TEMPLATE_DB);
  return {
    url: withDatabase(url, name),
    drop: () => admin(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
