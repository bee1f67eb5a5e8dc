// Turns the attribute names and values other systems export into our hazard properties. Names
// are compared with case, spaces and punctuation ignored ("Hazard Type" = "hazard_type" =
// "HAZARDTYPE"), and the first alias a file has wins. Values are normalised the same way, so an
// IMSMA "Confirmed Hazardous Area" and a spreadsheet "CHA" both become CHA.
import type { Contamination } from '../db/database.js';

export const TARGET_FIELDS = [
  'external_ref',
  'country',
  'classification',
  'contamination',
  'status',
  'recorded_on',
  'name',
  'priority',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];
export type FieldMap = Record<TargetField, string[]>;

/** Our own names, and the ten-character ones our Shapefile exports use. */
const SAFEGROUND: FieldMap = {
  external_ref: ['external_ref', 'ext_ref', 'ref'],
  country: ['country', 'country_iso3', 'iso3'],
  classification: ['classification', 'class'],
  contamination: ['contamination', 'contam'],
  status: ['status'],
  recorded_on: ['recorded_on', 'recorded'],
  name: ['name'],
  priority: ['priority', 'prio'],
};

/**
 * IMSMA (IMSMA NG and IMSMA Core exports) hazard attributes. Field names differ between
 * installations; these are the common spellings of the hazard's local id, type, contamination,
 * status and report date.
 */
const IMSMA: FieldMap = {
  external_ref: [
    'hazard_localid',
    'localid',
    'local_id',
    'hazard_id',
    'hazardid',
    'haz_id',
    'hazard_guid',
    'guid',
    'id',
  ],
  country: ['country', 'country_iso3', 'iso3', 'countrycode'],
  classification: ['hazard_type', 'hazardtype', 'haz_type', 'type', 'hazard_classification', 'classification'],
  contamination: [
    'hazard_contamination',
    'contamination_type',
    'contamination',
    'device_classification',
    'devicetype',
    'device_type',
    'contam',
    'threat_type',
    'hazard_category',
  ],
  status: ['hazard_status', 'status', 'stat'],
  recorded_on: [
    'date_of_report',
    'dateofreport',
    'date_reported',
    'report_date',
    'rep_date',
    'date_recorded',
    'recorded_on',
    'date',
  ],
  name: ['hazard_name', 'hazardname', 'haz_name', 'name', 'description'],
  priority: ['hazard_priority', 'priority', 'priority_class', 'prioritisation', 'prioritization'],
};

/** GICHD Minimum Data Requirements names for a hazardous area. */
const GICHD_MDR: FieldMap = {
  external_ref: ['hazard_id', 'hazard_identifier', 'hazardous_area_id', 'ha_id', 'id', 'reference'],
  country: ['country', 'country_code', 'iso3'],
  classification: ['hazard_type', 'hazardous_area_type', 'ha_type', 'area_type', 'type'],
  contamination: [
    'contamination_type',
    'contamination',
    'main_contamination',
    'explosive_ordnance_type',
    'eo_type',
    'threat',
  ],
  status: ['hazard_status', 'status'],
  recorded_on: ['date_of_survey', 'survey_date', 'date_recorded', 'date_of_recording', 'recorded_on', 'date'],
  name: ['hazard_name', 'hazardous_area_name', 'name', 'location'],
  priority: ['priority', 'priority_level', 'hazard_priority'],
};

export const PRESETS = { safeground: SAFEGROUND, imsma: IMSMA, gichd_mdr: GICHD_MDR } as const;
export type PresetName = keyof typeof PRESETS;

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A preset with per-field overrides ({"external_ref": "MY_ID"}) taking precedence. */
export function fieldMap(preset: PresetName, overrides: Partial<Record<TargetField, string>> = {}): FieldMap {
  const map = { ...PRESETS[preset] };
  for (const [target, source] of Object.entries(overrides) as [TargetField, string][])
    map[target] = [source, ...map[target]];
  return map;
}

/**
 * Picks, per target field, the first alias present among a file's attribute names. Files keep the
 * same attributes from feature to feature, so callers cache the result per key set.
 */
export function resolveColumns(map: FieldMap, keys: string[]): Partial<Record<TargetField, string>> {
  const byNormal = new Map<string, string>();
  for (const key of keys) if (!byNormal.has(normalise(key))) byNormal.set(normalise(key), key);
  const columns: Partial<Record<TargetField, string>> = {};
  for (const target of TARGET_FIELDS) {
    const found = map[target].map((alias) => byNormal.get(normalise(alias))).find((key) => key !== undefined);
    if (found !== undefined) columns[target] = found;
  }
  return columns;
}

const CLASSIFICATION: Record<string, 'SHA' | 'CHA'> = {
  sha: 'SHA',
  suspected: 'SHA',
  suspectedhazardousarea: 'SHA',
  suspectedarea: 'SHA',
  suspecteddangerousarea: 'SHA',
  cha: 'CHA',
  confirmed: 'CHA',
  confirmedhazardousarea: 'CHA',
  confirmedarea: 'CHA',
  confirmeddangerousarea: 'CHA',
  dangerousarea: 'CHA',
  minedarea: 'CHA',
  minefield: 'CHA',
};

const CONTAMINATION: Record<string, Contamination> = {
  apmines: 'ap_mines',
  apmine: 'ap_mines',
  ap: 'ap_mines',
  apm: 'ap_mines',
  antipersonnel: 'ap_mines',
  antipersonnelmine: 'ap_mines',
  antipersonnelmines: 'ap_mines',
  landmine: 'ap_mines',
  landmines: 'ap_mines',
  avmines: 'av_mines',
  avmine: 'av_mines',
  av: 'av_mines',
  avm: 'av_mines',
  at: 'av_mines',
  atmine: 'av_mines',
  atmines: 'av_mines',
  antivehicle: 'av_mines',
  antivehiclemine: 'av_mines',
  antivehiclemines: 'av_mines',
  antitank: 'av_mines',
  antitankmine: 'av_mines',
  cmr: 'cmr',
  clustermunition: 'cmr',
  clustermunitions: 'cmr',
  clustermunitionremnants: 'cmr',
  submunition: 'cmr',
  submunitions: 'cmr',
  bomblet: 'cmr',
  bomblets: 'cmr',
  cm: 'cmr',
  erw: 'erw',
  uxo: 'erw',
  axo: 'erw',
  explosiveremnantsofwar: 'erw',
  unexplodedordnance: 'erw',
  abandonedexplosiveordnance: 'erw',
  ied: 'ied',
  ieds: 'ied',
  improvisedexplosivedevice: 'ied',
  improvisedexplosivedevices: 'ied',
  improvisedmine: 'ied',
};

const STATUS: Record<string, 'open' | 'closed' | 'handed_over'> = {
  open: 'open',
  active: 'open',
  workedon: 'open',
  inprogress: 'open',
  ongoing: 'open',
  closed: 'closed',
  released: 'closed',
  completed: 'closed',
  cleared: 'closed',
  cancelled: 'closed',
  inactive: 'closed',
  handedover: 'handed_over',
  handover: 'handed_over',
};

/** Priority words some databases use instead of the class number: high is the most urgent class. */
const PRIORITY: Record<string, number> = { high: 1, medium: 3, low: 5 };

/** A priority cell: 1..5 as a number or text ("2", "2.0"), or high/medium/low; anything else passes through for validation to name. */
export function priorityValue(value: unknown): unknown {
  if (typeof value === 'number') return value;
  const cell = text(value);
  if (cell === undefined) return undefined;
  if (/^\d+(\.0+)?$/.test(cell)) return Number(cell);
  return PRIORITY[normalise(cell)] ?? cell;
}

const text = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const string = String(value).trim();
  return string === '' ? undefined : string;
};

/** A known spelling becomes our word; an unknown one is passed through so validation names it. */
const lookup = <T extends string>(table: Record<string, T>, value: string): T | string =>
  table[normalise(value)] ?? value;

/** Dates as files carry them: 2015-03-01, 2015/03/01, 2015-03-01T00:00:00Z, 01/03/2015 (day first, as IMSMA exports). */
export function normaliseDate(value: string): string {
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(value);
  if (iso) return `${iso[1]}-${iso[2]!.padStart(2, '0')}-${iso[3]!.padStart(2, '0')}`;
  const dayFirst = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(value);
  if (dayFirst) return `${dayFirst[3]}-${dayFirst[2]!.padStart(2, '0')}-${dayFirst[1]!.padStart(2, '0')}`;
  return value;
}

/** A file's contamination cell: one value, a list ("AP mines; UXO"), or a JSON array from GeoJSON. */
export function contaminationList(value: unknown): string[] | undefined {
  const items = Array.isArray(value)
    ? value.map(String)
    : text(value)
        ?.replace(/^\(\d+:/, '')
        .replace(/\)$/, '')
        .split(/[,;|/+]/);
  const cleaned = items?.map((item) => item.trim()).filter(Boolean);
  if (!cleaned?.length) return undefined;
  return [...new Set(cleaned.map((item) => lookup(CONTAMINATION, item)))];
}

/** The hazard properties a feature's attributes map to; absent ones stay undefined for validation to name. */
export function mapProperties(
  properties: Record<string, unknown>,
  columns: Partial<Record<TargetField, string>>,
  country: string,
): Record<string, unknown> {
  const get = (target: TargetField) => (columns[target] === undefined ? undefined : properties[columns[target]]);
  const classification = text(get('classification'));
  const status = text(get('status'));
  const recorded = text(get('recorded_on'));
  const fileCountry = text(get('country'))?.toUpperCase();
  return {
    country: fileCountry ?? country,
    classification: classification === undefined ? undefined : lookup(CLASSIFICATION, classification),
    contamination: contaminationList(get('contamination')),
    status: status === undefined ? undefined : lookup(STATUS, status),
    recorded_on: recorded === undefined ? undefined : normaliseDate(recorded),
    external_ref: text(get('external_ref')),
    name: text(get('name')),
    priority: priorityValue(get('priority')),
  };
}
