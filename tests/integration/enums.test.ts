import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { CHECKED_COLUMNS, SQL_ENUMS } from '../../server/src/db/enums.js';
import { cloneTemplate } from '../helpers/database.js';

// The vocabulary has one owner per list: SQL enum types own theirs (the generated types and
// server/src/db/enums.ts must agree, which the compiler checks as a set and this test in order),
// enums.ts owns the lists behind CHECK (column IN (...)) constraints, which must say the same.

let clone: Awaited<ReturnType<typeof cloneTemplate>>;
let client: pg.Client;

beforeAll(async () => {
  clone = await cloneTemplate(inject('databaseServerUrl'));
  client = new pg.Client({ connectionString: clone.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await clone?.drop();
});

describe('enumerations', () => {
  it('every SQL enum type of the schema is listed in enums.ts with the same values in the same order', async () => {
    const { rows } = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY t.typname`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.name, row.labels]))).toEqual(SQL_ENUMS);
  });

  it.each(Object.entries(CHECKED_COLUMNS))(
    '%s has a CHECK allowing exactly the values of enums.ts',
    async (column, { values }) => {
      const [table, name] = column.split('.') as [string, string];
      const { rows } = await client.query<{ definition: string }>(
        `SELECT pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'c' AND c.conrelid = $1::regclass AND a.attname = $2 AND cardinality(c.conkey) = 1`,
        [table, name],
      );
      // e.g. CHECK ((status = ANY (ARRAY['receiving'::text, 'validating'::text, ...])))
      const allowed = rows.map((row) => [...row.definition.matchAll(/'([^']*)'::text/g)].map((match) => match[1]));
      expect(allowed).toEqual([[...values]]);
    },
  );
});
