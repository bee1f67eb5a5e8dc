// The completion report's XLSForm as a file: written from its definition (completion-report.form.ts)
// by GDAL's XLSX driver, one sheet per layer, every cell text, so no other spreadsheet library is
// needed; and read back the same way (the test that holds the committed file to its definition).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ogr2ogr, readGeoJsonLines } from '../../gdal/gdal.js';
import { sheets } from './completion-report.form.js';

/** The committed form that GET /imports/forms/completion-report.xlsx serves. */
export const COMPLETION_REPORT_XLSX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'completion-report.xlsx');

const csvCell = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** Writes the form's three sheets (survey, choices, settings) to `target`, replacing it. */
export async function writeCompletionReport(target: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'xlsform-'));
  try {
    await rm(target, { force: true });
    let first = true;
    for (const [name, rows] of Object.entries(sheets())) {
      const csv = path.join(dir, `${name}.csv`);
      await writeFile(csv, rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n');
      const mode = first ? ['-f', 'XLSX'] : ['-update'];
      await ogr2ogr([...mode, target, csv, '-oo', 'AUTODETECT_TYPE=NO', '-nln', name], {
        input: 'CSV',
        output: 'XLSX',
      });
      first = false;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One sheet of an XLSX file as rows of text, header first (empty cells as ''). */
export async function readSheet(file: string, sheet: string): Promise<string[][]> {
  // Read without a header row, so every column is a numbered field (Field1, Field2, …) and the
  // header row, which fills every column, says how many there are.
  const lines = readGeoJsonLines({
    file,
    name: path.basename(file),
    driver: 'XLSX',
    args: ['--config', 'OGR_XLSX_HEADERS', 'DISABLE', '--config', 'OGR_XLSX_FIELD_TYPES', 'STRING', sheet],
  });
  const rows: string[][] = [];
  let width = 0;
  for await (const line of lines) {
    const properties = (JSON.parse(line) as { properties: Record<string, string | null> }).properties;
    width ||= Object.keys(properties).length;
    rows.push(Array.from({ length: width }, (_, i) => properties[`Field${i + 1}`] ?? ''));
  }
  return rows;
}
