import { randomBytes } from 'node:crypto';
import {
  databaseComment,
  onServer,
  quoteIdent,
  recreateDatabase,
  setDatabaseComment,
  withDatabase,
} from '../../server/src/db/database-url.js';
export { schemaFingerprint } from '../../server/src/db/fingerprint.js';
export { recreateDatabase, withDatabase };

export const TEMPLATE_DB = 'safeground_test_template';

export const templateFingerprint = (url: string): Promise<string | null> => databaseComment(url, TEMPLATE_DB);

export const markTemplate = (url: string, fingerprint: string): Promise<void> =>
  setDatabaseComment(url, TEMPLATE_DB, fingerprint);

/** A fresh database for one test file, cloned from the migrated template (fast: a file copy). */
export async function cloneTemplate(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `safeground_test_${randomBytes(4).toString('hex')}`;
  await recreateDatabase(url, name, TEMPLATE_DB);
  return {
    url: withDatabase(url, name),
    drop: () =>
      onServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
