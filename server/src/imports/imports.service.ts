import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { type Actor, assertCanWriteHazards } from '../auth/actor.js';
import { lockCountries } from '../area/area.repository.js';
import { afterCommit } from '../db/data-changed.js';
import { writeAudit } from '../audit/audit.repository.js';
import { HttpError, conflict, notFound } from '../http/http-error.js';
import { csvRow } from '../shared/csv.js';
import { type PresetName, type TargetField, fieldMap } from './field-mapping.js';
import { UnreadableFile } from './feature-source.js';
import { EXTENSION, type ImportFormat, type ReadOptions } from './import-reader.js';
import * as repo from './imports.repository.js';
import { markInterrupted, runExistingImport, runNewImport } from './imports.liveness.js';
import { hazardStages, writeHazards } from './hazard-imports.js';
import { assertCanSeeReleaseImport, importOrganisation, releaseStages, writeReleases } from './release-imports.js';
import type { ImportKind } from '../db/enums.js';

const UPLOAD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.data/imports');
const STAGE_BATCH = 2_000;
const STAGE_PARALLEL = 2;
const COMMIT_BATCH = 5_000;
/** Statuses of a run in progress: shown only while its process is alive (imports.liveness.ts). */
const IN_FLIGHT = new Set<repo.ImportStatus>(['receiving', 'validating', 'committing']);

export interface ImportRequest {
  country: string;
  /** hazards (the default) or releases (completion reports from KoboToolbox or ODK). */
  kind?: ImportKind;
  /** An import of releases: the operator organisation credited (the authority's choice; an operator's own). */
  organisation_id?: number;
  format: ImportFormat;
  mapping: PresetName;
  fields?: Partial<Record<TargetField, string>>;
  fileName?: string | null;
}

/** The command line acts as the operator of the machine: an admin with no user row (audit user_id is NULL). */
export const SYSTEM_ACTOR = {
  id: '',
  email: 'command line',
  role: 'admin',
  country_iso3: null,
  organisation_id: null,
} as const satisfies Actor;

export interface ImportHooks {
  onProgress?: (done: number, total: number | null) => void;
  /** Peak resident memory of the ogr2ogr reading the file (benchmarks). */
  onReaderRss?: (bytes: number) => void;
  stageBatchSize?: number;
  commitBatchSize?: number;
}

export function toImportOut(row: repo.ImportRow) {
  return {
    id: Number(row.id),
    country: row.country_iso3,
    kind: row.kind,
    organisation_id: row.organisation_id === null ? null : Number(row.organisation_id),
    format: row.format,
    mapping: row.mapping,
    file_name: row.file_name,
    file_bytes: Number(row.file_bytes),
    status: row.status,
    error: row.error,
    counts: {
      features: row.feature_count,
      ok: row.ok_count,
      repaired: row.repaired_count,
      rejected: row.rejected_count,
    },
    progress: { done: row.progress_done, total: row.progress_total },
    committed:
      row.inserted_count === null
        ? null
        : { inserted: row.inserted_count, updated: row.updated_count ?? 0, unchanged: row.unchanged_count ?? 0 },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    committed_at: row.committed_at?.toISOString() ?? null,
  };
}
export type ImportOut = ReturnType<typeof toImportOut>;

const tooLarge = (max: number) =>
  new HttpError(413, 'payload_too_large', `import file is larger than the limit of ${max} bytes (IMPORT_MAX_BYTES)`, [
    { path: 'body', message: `limit is ${max} bytes` },
  ]);

const tooManyFeatures = (max: number) =>
  new HttpError(
    413,
    'too_many_features',
    `import file has more than ${max} features, the limit (IMPORT_MAX_FEATURES)`,
    [{ path: 'body', message: `limit is ${max} features` }],
  );

/** Who may start this import (hazards: the authority; releases: whoever records them), and the row it starts as. */
async function startValues(db: Db, actor: Actor, request: ImportRequest) {
  const kind = request.kind ?? 'hazards';
  let organisationId: string | null = null;
  if (kind === 'releases')
    organisationId = await importOrganisation(db, actor, request.country, request.organisation_id);
  else assertCanWriteHazards(actor, request.country);
  const mapping = kind === 'releases' ? 'completion_report' : request.mapping;
  return { country: request.country, format: request.format, kind, organisationId, mapping, userId: actor.id || null };
}

/** Reading and using an import: hazards are the authority's; releases also their credited operator's. */
function assertCanUse(actor: Actor, row: repo.ImportRow): void {
  if (row.kind === 'releases') assertCanSeeReleaseImport(actor, row);
  else assertCanWriteHazards(actor, row.country_iso3);
}

/** The dry run's batches, each with the statement that stages it. */
function stages(db: Db, config: Config, id: string, request: ImportRequest, options: ReadOptions) {
  if (request.kind === 'releases') return releaseStages(db, config, id, request.country, options);
  return hazardStages(db, config, id, request.country, options);
}

/**
 * Receives an upload into a file (never into memory), then runs the dry run. Over the byte limit
 * the upload is cut off and nothing is kept.
 */
export async function importUpload(
  db: Db,
  config: Config,
  actor: Actor,
  request: ImportRequest,
  body: Readable,
  declaredBytes: number | undefined,
  hooks: ImportHooks = {},
): Promise<ImportOut> {
  const values = { ...(await startValues(db, actor, request)), fileName: request.fileName ?? null };
  if (declaredBytes !== undefined && declaredBytes > config.IMPORT_MAX_BYTES) throw tooLarge(config.IMPORT_MAX_BYTES);
  return runNewImport(db, values, (id) => receiveAndDryRun(db, config, id, request, body, hooks));
}

async function receiveAndDryRun(
  db: Db,
  config: Config,
  id: string,
  request: ImportRequest,
  body: Readable,
  hooks: ImportHooks,
): Promise<ImportOut> {
  await mkdir(UPLOAD_DIR, { recursive: true });
  // Unique across processes and databases sharing this checkout (tests, benchmarks), not just by id.
  const file = path.join(UPLOAD_DIR, `${id}-${randomUUID()}.${EXTENSION[request.format]}`);
  let bytes = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > config.IMPORT_MAX_BYTES ? tooLarge(config.IMPORT_MAX_BYTES) : null, chunk);
    },
  });
  try {
    await pipeline(body, limiter, createWriteStream(file));
    await repo.updateImport(db, id, { file_bytes: String(bytes) });
    return await dryRun(db, config, id, request, file, hooks);
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) await repo.deleteImport(db, id);
    throw error;
  } finally {
    await rm(file, { force: true });
  }
}

/** The same dry run over a file already on disk (the CLI). */
export async function importFile(
  db: Db,
  config: Config,
  actor: Actor,
  request: ImportRequest,
  file: string,
  hooks: ImportHooks = {},
) {
  const started = await startValues(db, actor, request);
  const { size } = await stat(file);
  if (size > config.IMPORT_MAX_BYTES) throw tooLarge(config.IMPORT_MAX_BYTES);
  const values = { ...started, fileName: request.fileName ?? path.basename(file) };
  return runNewImport(db, values, async (id) => {
    await repo.updateImport(db, id, { file_bytes: String(size) });
    try {
      return await dryRun(db, config, id, request, path.resolve(file), hooks);
    } catch (error) {
      if (error instanceof HttpError && error.status === 413) await repo.deleteImport(db, id);
      throw error;
    }
  });
}

/**
 * Reads, maps, validates and prepares every feature, staging each with its outcome (ok, repaired
 * and why, rejected and why). Nothing reaches the ledger; the staged rows are the report.
 */
async function dryRun(
  db: Db,
  config: Config,
  id: string,
  request: ImportRequest,
  file: string,
  hooks: ImportHooks,
): Promise<ImportOut> {
  await repo.updateImport(db, id, { status: 'validating', progress_done: 0, progress_total: null });
  let read = 0;
  let staged = 0;
  // Batches are staged in PostgreSQL, STAGE_PARALLEL at a time on their own connections, while the
  // next is read and validated here: reading and the geometry checks use every core instead of
  // waiting for one another.
  const staging: Promise<void>[] = [];
  try {
    const batches = stages(db, config, id, request, {
      file,
      // Messages name the upload, never its path on this server.
      name: request.fileName ?? `the uploaded ${request.format} file`,
      format: request.format,
      country: request.country,
      fields: fieldMap(request.mapping, request.fields),
      maxVertices: config.MAX_VERTICES,
      batchSize: hooks.stageBatchSize ?? STAGE_BATCH,
      onPeakRss: hooks.onReaderRss,
    });
    for await (const batch of batches) {
      read += batch.size;
      if (read > config.IMPORT_MAX_FEATURES) throw tooManyFeatures(config.IMPORT_MAX_FEATURES);
      if (staging.length >= STAGE_PARALLEL) await staging.shift();
      const size = batch.size;
      const stage = batch.stage().then(async () => {
        staged += size;
        await repo.updateImport(db, id, { progress_done: staged });
        hooks.onProgress?.(staged, null);
      });
      // Awaited in turn or below; a rejection meanwhile is not unhandled.
      stage.catch(() => {});
      staging.push(stage);
    }
    await Promise.all(staging);
    await repo.rejectDuplicates(db, id);
  } catch (error) {
    // Batches still being staged must land before their rows are deleted.
    await Promise.allSettled(staging);
    await repo.deleteStaged(db, id);
    if (error instanceof UnreadableFile) {
      const message = `the file could not be read as ${request.format}: ${error.message}`;
      await repo.updateImport(db, id, { status: 'invalid', error: message });
      throw new HttpError(422, 'unreadable_file', message, [{ path: 'body', message: error.message }]);
    }
    // Not the file's fault: say the dry run failed rather than leave it "validating" until it
    // reads as interrupted by a server stop.
    await repo
      .updateImport(db, id, { status: 'invalid', error: 'the dry run failed on the server; upload the file again' })
      .catch(() => {});
    throw error;
  }
  const counts = await repo.outcomeCounts(db, id);
  await repo.updateImport(db, id, {
    status: 'ready',
    feature_count: counts.ok + counts.repaired + counts.rejected,
    ok_count: counts.ok,
    repaired_count: counts.repaired,
    rejected_count: counts.rejected,
    // Batches staged in parallel may have reported their progress out of order.
    progress_done: read,
    progress_total: read,
  });
  return getImport(db, null, id);
}

export async function getImport(db: Db, actor: Actor | null, id: string): Promise<ImportOut> {
  let row = await repo.findImport(db, id);
  if (!row) throw notFound(`import ${id}`);
  if (actor) assertCanUse(actor, row);
  if (IN_FLIGHT.has(row.status) && (await markInterrupted(db, id))) row = (await repo.findImport(db, id))!;
  return toImportOut(row);
}

/** The per-feature report as RFC 4180 CSV, produced page by page. */
export async function* reportCsv(db: Db, id: string): AsyncGenerator<string> {
  yield csvRow(['feature', 'external_ref', 'outcome', 'reason']);
  let lines: string[] = [];
  for await (const row of repo.reportRows(db, id)) {
    lines.push(csvRow([row.feature_index, row.external_ref, row.outcome, row.reason]));
    if (lines.length === 1_000) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length) yield lines.join('');
}

/**
 * Writes every accepted feature in one transaction: all of them or, on any failure, none.
 * Progress (features written so far) is recorded outside the transaction so a client can poll it.
 */
export async function commitImport(db: Db, actor: Actor, id: string, hooks: ImportHooks = {}): Promise<ImportOut> {
  const row = await repo.findImport(db, id);
  if (!row) throw notFound(`import ${id}`);
  assertCanUse(actor, row);
  if (row.status !== 'ready' && row.status !== 'commit_failed') {
    throw conflict(`import ${id} is ${row.status}; only a finished dry run (ready) can be committed`);
  }
  const ranges = await repo.acceptedRanges(db, id, hooks.commitBatchSize ?? COMMIT_BATCH);
  const total = ranges.reduce((sum, range) => sum + range.n, 0);
  const busy = () => conflict(`import ${id} is already being committed`);
  return runExistingImport(db, id, busy, () => commitClaimed(db, actor, row, total, ranges, hooks));
}

async function commitClaimed(
  db: Db,
  actor: Actor,
  row: repo.ImportRow,
  total: number,
  ranges: { from: number; to: number; n: number }[],
  hooks: ImportHooks,
) {
  const id = row.id;
  if (!(await repo.claimForCommit(db, id, total))) throw conflict(`import ${id} is already being committed`);
  try {
    // Cached tiles and figures drop what they hold once the commit is visible.
    await afterCommit(
      'imports',
      db.transaction().execute(async (trx) => {
        await lockCountries(trx, [row.country_iso3]);
        let done = 0;
        const onRange = async (n: number) => {
          done += n;
          await repo.updateImport(db, id, { progress_done: done });
          hooks.onProgress?.(done, total);
        };
        const counts =
          row.kind === 'releases'
            ? await writeReleases(trx, actor, row, ranges, onRange)
            : await writeHazards(trx, actor, row, ranges, onRange);
        await writeAudit(trx, {
          userId: actor.id || null,
          action: 'commit',
          entity: 'import',
          entityId: id,
          after: { country: row.country_iso3, kind: row.kind, ...counts },
        });
        await repo.updateImport(trx, id, {
          status: 'committed',
          inserted_count: counts.inserted,
          updated_count: counts.updated,
          unchanged_count: counts.unchanged,
          committed_at: new Date(),
        });
      }),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await repo.updateImport(db, id, {
      status: 'commit_failed',
      error: `nothing was written: ${message}`,
      progress_done: 0,
    });
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^(23|40)/.test(code)) {
      throw new HttpError(
        code.startsWith('23') ? 422 : 409,
        'commit_failed',
        `import ${id} was not committed, nothing was written: ${message}`,
      );
    }
    throw error;
  }
  return getImport(db, null, id);
}
