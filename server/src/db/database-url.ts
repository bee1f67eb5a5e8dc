import pg from 'pg';

// Scripts, tests and benchmarks create, drop and restore whole databases: these helpers name a
// database on the same server as a given URL, and run work on the server's maintenance database.

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** Runs `work` connected to the server's `postgres` database (to create, drop or look up databases). */
export async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database name as an SQL identifier (database names cannot be query parameters). */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Drops the database if it exists (ending its connections) and creates it, empty or from a template. */
export async function recreateDatabase(url: string, name: string, template?: string): Promise<void> {
  await onServer(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
  });
}

// A database's comment records what it was built from (a schema fingerprint), so that test and
// benchmark databases that take long to build are reused only while they still fit.

/** The comment on a database, or null (no comment, or no such database). */
export async function databaseComment(url: string, name: string): Promise<string | null> {
  const { rows } = await onServer(url, (client) =>
    client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    ),
  );
  return rows[0]?.comment ?? null;
}

/** Sets a database's comment; only letters, digits and colons are kept (COMMENT takes no parameter). */
export async function setDatabaseComment(url: string, name: string, comment: string): Promise<void> {
  await onServer(url, (client) =>
    client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${comment.replace(/[^0-9A-Za-z:]/g, '')}'`),
  );
}
