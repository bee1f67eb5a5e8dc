// npm run migrate: apply pending migrations and functions, then load geodata (no demo data).
import { loadConfig } from '../server/src/config.js';
import { prepareDatabase } from '../server/src/bootstrap.js';

const db = await prepareDatabase(loadConfig(), { demo: false });
await db.destroy();
console.log('database is up to date');
