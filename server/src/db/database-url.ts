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
