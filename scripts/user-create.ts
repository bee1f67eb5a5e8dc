// npm run user:create -- --email E --password P --role R [--country ISO3] [--organisation NAME]
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../server/src/config.js';
import { prepareDatabase } from '../server/src/bootstrap.js';
import { assertValidNewUser, createUser } from '../server/src/auth/auth.service.js';
import { HttpError } from '../server/src/http/http-error.js';

const usage =
  'usage: npm run user:create -- --email E --password P --role admin|national_authority|operator|donor|viewer [--country ISO3] [--organisation NAME]';

const Args = z.object({
  email: z.string().email(),
  password: z.string(),
  role: z.enum(['admin', 'national_authority', 'operator', 'donor', 'viewer']),
  country: z
    .string()
    .regex(/^[A-Z]{3}$/, 'country must be an alpha-3 code such as LAO')
    .optional(),
  organisation: z.string().min(1).optional(),
});

try {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      country: { type: 'string' },
      organisation: { type: 'string' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
    console.error(usage);
    process.exit(2);
  }
  assertValidNewUser(parsed.data);
  const db = await prepareDatabase(loadConfig(), { demo: false });
  try {
    const user = await createUser(db, parsed.data);
    console.log(
      `created user ${user.id} ${user.email} (${user.role}${user.country_iso3 ? `, ${user.country_iso3}` : ''})`,
    );
  } finally {
    await db.destroy();
  }
} catch (error) {
  console.error(error instanceof HttpError ? error.message : error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
}
