import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResponse, TestApp } from './test-app.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/imports');

/** POSTs a fixture file as the raw body of an import (dry run). */
export async function uploadFixture(
  app: TestApp,
  token: string | undefined,
  file: string,
  query: Record<string, string>,
): Promise<ApiResponse> {
  return uploadBody(app, token, await readFile(path.join(FIXTURES, file)), query);
}

/** POSTs bytes as the raw body of an import (dry run). */
export async function uploadBody(
  app: TestApp,
  token: string | undefined,
  body: string | Buffer,
  query: Record<string, string>,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${app.base}/api/v1/imports?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers,
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

export interface ReportLine {
  feature: number;
  external_ref: string;
  outcome: string;
  reason: string;
}

/** The dry-run report CSV, parsed (no cell in our fixtures holds a line break). */
export async function fetchReport(
  app: TestApp,
  token: string,
  id: number,
): Promise<{ contentType: string | null; lines: ReportLine[] }> {
  const response = await fetch(`${app.base}/api/v1/imports/${id}/report.csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  const [header, ...rows] = text.trimEnd().split('\r\n');
  if (header !== 'feature,external_ref,outcome,reason') throw new Error(`unexpected report header: ${header}`);
  return {
    contentType: response.headers.get('content-type'),
    lines: rows.map((row) => {
      const cells = [...row.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) =>
        m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
      );
      return { feature: Number(cells[0]), external_ref: cells[1]!, outcome: cells[2]!, reason: cells[3]! };
    }),
  };
}
