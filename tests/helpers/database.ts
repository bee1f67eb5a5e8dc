import { randomBytes } from 'node:crypto';
import { onServer, quoteIdent, withDatabase } from '../../server/src/db/database-url.js';
export { schemaFingerprint } from '../../server/src/db/fingerprint.js';
export { withDatabase };

export const TEMPLATE_DB = 'safeground_test_template';

export async function templateFingerprint(url: string): Promise<string | null> {
  return onServer(url, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [TEMPLATE_DB],
    );
    return rows[0]?.comment ?? null;
  });
}

export async function recreateDatabase(url: string, name: string, template?: string): Promise<void> {
  await onServer(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
  });
}

export async function markTemplate(url: string, fingerprint: string): Promise<void> {
  await onServer(url, (client) => client.query(`COMMENT ON DATABASE ${quoteIdent(TEMPLATE_DB)} IS '${fingerprint.replace(/[^0-9a-f]/g, '')}'`));
}

/** A fresh database for one test file, cloned from the migrated template (fast: a file copy). */
export async function cloneTemplate(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `safeground_test_${randomBytes(4).toString('hex')}`;
  await recreateDatabase(url, name, TEMPLATE_DB);
  return {
    url: withDatabase(url, name),
    drop: () => onServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined),
  };
}
