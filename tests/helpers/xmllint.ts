// libxml2's xmllint validates the IATI export against the official XML Schema. Debian's
// libxml2-utils provides it; as root the test setup installs it like Chromium and GDAL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { aptInstaller, isRoot, type Log, which } from '../../server/src/db/local-postgis.install.js';

const PACKAGE = 'libxml2-utils';

export async function ensureXmllint(log: Log = console.log): Promise<void> {
  if (await which('xmllint')) return;
  if (!isRoot() || !(await which('apt-get'))) {
    throw new Error(
      `xmllint is needed to validate IATI files and was not found. Install it:\n  sudo apt-get install ${PACKAGE}`,
    );
  }
  await aptInstaller(log)([PACKAGE]);
  if (!(await which('xmllint'))) throw new Error(`apt-get installed ${PACKAGE} but xmllint is still not on PATH`);
}

/** Validates a file against an XML Schema; resolves with xmllint's verdict and messages, never throws on invalid. */
export async function validateXml(schema: string, file: string): Promise<{ valid: boolean; output: string }> {
  try {
    const { stderr } = await promisify(execFile)('xmllint', ['--noout', '--nonet', '--schema', schema, file]);
    return { valid: true, output: stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { valid: false, output: failed.stderr ?? '' };
  }
}
