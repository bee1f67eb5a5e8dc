// CSV as every part of Safeground writes it: RFC 4180 quoting, and text that a spreadsheet would
// run as a formula made inert (CSV injection).

export type CsvValue = string | number | boolean | null | undefined;

/** How a formula starts in Excel, LibreOffice and Google Sheets (OWASP's list, with DDE's tab and CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number written as text (a negative figure, say): a spreadsheet reads it as that number, nothing runs. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Text that starts like a formula, with a single quote in front so that spreadsheets show it as text. */
export function inertText(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** One field: numbers and booleans as they are, text made inert and quoted where it needs it, null empty. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = inertText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, with the CRLF line end RFC 4180 asks for. */
export const csvRow = (values: readonly CsvValue[]): string => `${values.map(csvCell).join(',')}\r\n`;

/** A header row and one record per row, cells taken by column name. */
export function csvTable(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  return csvRow(columns) + rows.map((row) => csvRow(columns.map((column) => row[column]))).join('');
}
