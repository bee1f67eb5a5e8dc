// npm run import -- FILE --country ISO3 [--kind hazards|releases] [--format geojson|shp|kml|kmz|gpkg|csv|xlsx]
//                   [--mapping safeground|imsma|gichd_mdr]
//                   [--fields '{"external_ref":"HAZ_ID"}'] [--commit] [--report FILE.csv]
// Dry-runs a file of hazards exactly as POST /api/v1/imports does, prints the counts and writes the
// per-feature report (next to the file unless --report says where); with --commit, then commits
// it in one transaction, printing progress. Acts as an admin with no user row (audit user NULL).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDatabase } from '../server/src/bootstrap.js';
import { loadConfig } from '../server/src/config.js';
import { HttpError } from '../server/src/http/http-error.js';
import { ImportQuery } from '../server/src/imports/imports.schema.js';
import { EXTENSION, FORMATS, type ImportFormat } from '../server/src/imports/import-reader.js';
import {
  SYSTEM_ACTOR,
  type ImportOut,
  commitImport,
  importFile,
  reportCsv,
} from '../server/src/imports/imports.service.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    country: { type: 'string' },
    kind: { type: 'string', default: 'hazards' },
    format: { type: 'string' },
    mapping: { type: 'string', default: 'safeground' },
    fields: { type: 'string' },
    commit: { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

const file = positionals[0];
if (!file || !values.country) {
  console.error(
    'usage: npm run import -- FILE --country ISO3 [--kind hazards|releases] [--format F] [--mapping safeground|imsma|gichd_mdr] [--commit] [--report FILE.csv]',
  );
  process.exit(2);
}

/** The format from the file name when not given: .shp.zip and .zip are zipped Shapefiles, .json is GeoJSON. */
function guessFormat(name: string): ImportFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'geojson';
  if (lower.endsWith('.shp')) return 'shp';
  return FORMATS.find((format) => lower.endsWith(`.${EXTENSION[format]}`));
}

const query = ImportQuery.safeParse({
  country: values.country,
  kind: values.kind,
  format: values.format ?? guessFormat(file),
  mapping: values.mapping,
  ...(values.fields ? { fields: values.fields } : {}),
});
if (!query.success) {
  console.error(query.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
  process.exit(2);
}

const config = loadConfig();
const db = await prepareDatabase(config, { demo: false });
const progress = (label: string) => (done: number, total: number | null) => {
  process.stderr.write(
    `\r${label}: ${done.toLocaleString('en')}${total === null ? '' : ` / ${total.toLocaleString('en')}`} features`,
  );
};
const summary = (run: ImportOut) =>
  `${run.counts.features} features: ${run.counts.ok} ok, ${run.counts.repaired} repaired, ${run.counts.rejected} rejected`;

try {
  const run = await importFile(db, config, SYSTEM_ACTOR, { ...query.data, fileName: path.basename(file) }, file, {
    onProgress: progress('read'),
  });
  process.stderr.write('\n');
  console.log(`import ${run.id} (dry run): ${summary(run)}`);
  const reportFile = values.report ?? `${file.replace(/(\.shp)?\.[^./]+$/, '')}.import-report.csv`;
  const out = createWriteStream(reportFile);
  for await (const chunk of reportCsv(db, String(run.id))) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  console.log(`report: ${reportFile}`);
  if (values.commit) {
    const done = await commitImport(db, SYSTEM_ACTOR, String(run.id), { onProgress: progress('committed') });
    process.stderr.write('\n');
    console.log(
      `committed: ${done.committed?.inserted} inserted, ${done.committed?.updated} updated, ${done.committed?.unchanged} unchanged`,
    );
  } else {
    console.log('nothing written; run again with --commit to write the accepted features');
  }
} catch (error) {
  console.error(error instanceof HttpError ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
