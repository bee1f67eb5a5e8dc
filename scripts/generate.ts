// npm run generate: writes the OpenAPI document, the web app's API types and the database types
// (scripts/contracts.ts), and the completion report's XLSForm from its definition. The database types come from a scratch database on the same server,
// migrated from sql/ and dropped afterwards.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl } from '../server/src/bootstrap.js';
import { loadConfig } from '../server/src/config.js';
import { onServer, quoteIdent, recreateDatabase, withDatabase } from '../server/src/db/database-url.js';
import { migrate } from '../server/src/db/migrator.js';
import { createDb } from '../server/src/db/pool.js';
import { COMPLETION_REPORT_XLSX, writeCompletionReport } from '../server/src/imports/xlsform/xlsform-file.js';
import { generateContracts } from './contracts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRATCH_DB = 'safeground_codegen';

const serverUrl = await databaseUrl(loadConfig());
await recreateDatabase(serverUrl, SCRATCH_DB);
try {
  const scratchUrl = withDatabase(serverUrl, SCRATCH_DB);
  const db = createDb(scratchUrl);
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  for (const [file, content] of Object.entries(await generateContracts(scratchUrl))) {
    await writeFile(path.join(ROOT, file), content);
    console.log(`wrote ${file}`);
  }
  await writeCompletionReport(COMPLETION_REPORT_XLSX);
  console.log(`wrote ${path.relative(ROOT, COMPLETION_REPORT_XLSX)}`);
} finally {
  await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(SCRATCH_DB)} WITH (FORCE)`));
}
