// Commits one import in its own process, so a test can kill that process mid-commit (a crash).
//   node --import tsx tests/helpers/commit-import-child.ts DATABASE_URL IMPORT_ID
import { createDb } from '../../server/src/db/pool.js';
import { SYSTEM_ACTOR, commitImport } from '../../server/src/imports/imports.service.js';

const [url, id] = process.argv.slice(2) as [string, string];
const db = createDb(url);
try {
  await commitImport(db, SYSTEM_ACTOR, id);
} finally {
  await db.destroy();
}
