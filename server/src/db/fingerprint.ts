import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A fingerprint of everything that shapes a freshly built database: migrations, functions and
 * geodata. Databases built once and reused (the test template, the benchmark) are rebuilt when it
 * changes.
 */
export async function schemaFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['sql/migrations', 'sql/functions', 'geodata']) {
    for (const name of (await readdir(path.join(ROOT, dir))).sort()) {
      hash.update(name).update(await readFile(path.join(ROOT, dir, name)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}
