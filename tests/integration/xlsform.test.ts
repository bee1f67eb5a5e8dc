import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELEASE_METHODS } from '../../server/src/db/enums.js';
import { findColumn } from '../../server/src/imports/release-reader.js';
import { sheets } from '../../server/src/imports/xlsform/completion-report.form.js';
import {
  COMPLETION_REPORT_XLSX,
  readSheet,
  writeCompletionReport,
} from '../../server/src/imports/xlsform/xlsform-file.js';
import { DEVICE_TYPES } from '../../server/src/releases/releases.schema.js';

// The committed XLSForm (what GET /imports/forms/completion-report.xlsx serves) against its
// definition, and the definition against the rules of XLSForm that pyxform, Kobo and ODK Central
// apply, and against the names release imports read.

const form = sheets();
const records = (rows: string[][]) =>
  rows.slice(1).map((row) => Object.fromEntries(rows[0]!.map((c, i) => [c, row[i]!])));
const survey = records(form.survey);
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

describe('the completion report XLSForm', () => {
  it('the committed file holds exactly its definition (npm run generate rewrites it)', async () => {
    for (const sheet of ['survey', 'choices', 'settings'] as const) {
      expect(await readSheet(COMPLETION_REPORT_XLSX, sheet), sheet).toEqual(form[sheet]);
    }
  });

  it('writing it again gives a file that reads the same', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'xlsform-test-'));
    try {
      const file = path.join(dir, 'form.xlsx');
      await writeCompletionReport(file);
      expect((await readFile(file)).subarray(0, 2).toString()).toBe('PK');
      expect(await readSheet(file, 'survey')).toEqual(await readSheet(COMPLETION_REPORT_XLSX, 'survey'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('follows XLSForm: the required columns, unique XML names, known lists, balanced groups, known references', () => {
    expect(form.survey[0]!.slice(0, 3)).toEqual(['type', 'name', 'label']);
    expect(form.choices[0]).toEqual(['list_name', 'name', 'label']);
    expect(form.settings[0]!.slice(0, 3)).toEqual(['form_title', 'form_id', 'version']);
    const names = survey.filter((q) => q.type !== 'end_group').map((q) => q.name!);
    for (const name of names) expect(name).toMatch(XML_NAME);
    expect(new Set(names).size).toBe(names.length);
    const lists = new Set(records(form.choices).map((c) => c.list_name));
    for (const q of survey.filter((q) => q.type!.startsWith('select_one '))) {
      expect(lists.has(q.type!.split(' ')[1]!), q.name).toBe(true);
    }
    let depth = 0;
    for (const q of survey) {
      depth += q.type === 'begin_group' ? 1 : q.type === 'end_group' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
      expect(['', 'yes'], q.name).toContain(q.required);
      if (!['begin_group', 'end_group', 'start', 'end'].includes(q.type!)) expect(q.label, q.name).not.toBe('');
    }
    expect(depth).toBe(0);
    const expressions = [...survey.map((q) => q.constraint!), ...records(form.settings).map((s) => s.instance_name!)];
    for (const reference of expressions.join(' ').matchAll(/\$\{([^}]+)\}/g)) expect(names).toContain(reference[1]);
    const settings = records(form.settings)[0]!;
    expect(settings.form_id).toMatch(XML_NAME);
    expect(settings.version).toMatch(/^\d+$/);
  });

  it('offers the API release methods and device types, under the names release imports read', () => {
    expect(records(form.choices).map((c) => c.name)).toEqual([...RELEASE_METHODS]);
    const inGroup = survey.slice(survey.findIndex((q) => q.type === 'begin_group' && q.name === 'devices') + 1);
    expect(inGroup.slice(0, DEVICE_TYPES.length).map((q) => [q.type, q.name])).toEqual(
      DEVICE_TYPES.map((type) => ['integer', type]),
    );
    expect(survey.find((q) => q.name === 'released_area')?.type).toBe('geoshape');
    // Kobo's CSV header (group/name) and ODK Central's (group-name) for every question.
    for (const q of survey.filter((q) => !['begin_group', 'end_group', 'start', 'end'].includes(q.type!))) {
      for (const header of [`report/${q.name}`, `report-${q.name}`]) {
        expect(findColumn([header, 'start', 'end'], [q.name!]), header).toBe(header);
      }
    }
  });
});
