import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badRequest } from '../http/http-error.js';

// Reads an IATI activity file into plain facts per activity; what they mean for a grant is decided
// elsewhere (iati-import.mapping.ts). Only the elements the import uses are kept.

export interface ParsedOrg {
  ref: string | null;
  name: string | null;
}

export interface ParsedValue {
  amount: number;
  currency: string | null;
}

export interface ParsedActivity {
  /** 1-based position in the file, for activities without an identifier. */
  position: number;
  identifier: string | null;
  defaultCurrency: string | null;
  reportingRef: string | null;
  title: string | null;
  /** participating-org elements of role 4 (implementing), in file order. */
  implementing: ParsedOrg[];
  /** recipient-country codes (ISO 3166-1 alpha-2). */
  countries: string[];
  sectors: Array<{ code: string; vocabulary: string | null }>;
  /** activity-date iso-dates by type (1 planned start, 2 actual start, 3 planned end, 4 actual end). */
  dates: Record<string, string>;
  transactions: Array<{ type: string | null; date: string | null; value: ParsedValue }>;
  budgets: Array<{ type: string | null; value: ParsedValue }>;
}

type Node = Record<string, unknown>;

// Elements that may repeat are always read as lists, so that one and several look alike.
const REPEATED = new Set([
  'iati-activity',
  'participating-org',
  'recipient-country',
  'sector',
  'activity-date',
  'transaction',
  'budget',
  'narrative',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
  // With no DOCTYPE (refused below) only XML's five predefined entities and character references remain.
  processEntities: true,
  htmlEntities: false,
});

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Refuses what an IATI file never needs and an attacker would use: a DOCTYPE (entity declarations,
 * external entities, entity expansion) and any entity reference other than XML's predefined ones.
 * Malformed XML is refused naming its line. All answer 400.
 */
function assertSafeWellFormed(text: string): void {
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw badRequest(`line ${lineOf(text, doctype.index)}: a DOCTYPE is not accepted in an IATI file`);
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.exec(text);
  if (entity) {
    throw badRequest(
      `line ${lineOf(text, entity.index)}: only the predefined XML entities (&amp; &lt; &gt; &quot; &apos;) ` +
        'and character references are accepted; a bare & must be written &amp;',
    );
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) throw badRequest(`line ${verdict.err.line}: malformed XML: ${verdict.err.msg}`);
}

const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : value ? [value as Node] : []);
const one = (node: Node | undefined, name: string): Node | undefined => list(node?.[name])[0];
const attr = (node: Node | undefined, name: string): string | null => {
  const value = node?.[`@${name}`];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
};
const text = (node: Node | undefined): string | null => {
  const value = node?.['#text'];
  return typeof value === 'string' && value !== '' ? value : null;
};
/** The first narrative of an element (IATI gives a narrative per language; the first is the default). */
const narrative = (node: Node | undefined): string | null => text(list(node?.narrative)[0]);

function valueOf(node: Node | undefined): ParsedValue {
  const value = one(node, 'value');
  return { amount: Number(text(value) ?? Number.NaN), currency: attr(value, 'currency') };
}

function activityOf(node: Node, index: number): ParsedActivity {
  const dates: Record<string, string> = {};
  for (const date of list(node['activity-date'])) {
    const type = attr(date, 'type');
    const on = attr(date, 'iso-date');
    if (type && on && !(type in dates)) dates[type] = on;
  }
  const transactions = list(node.transaction);
  return {
    position: index + 1,
    identifier: text(one(node, 'iati-identifier')),
    defaultCurrency: attr(node, 'default-currency'),
    reportingRef: attr(one(node, 'reporting-org'), 'ref'),
    title: narrative(one(node, 'title')),
    implementing: list(node['participating-org'])
      .filter((org) => attr(org, 'role') === '4')
      .map((org) => ({ ref: attr(org, 'ref'), name: narrative(org) })),
    countries: list(node['recipient-country']).map((country) => attr(country, 'code') ?? ''),
    // A sector may be given for the whole activity or, instead, on each transaction.
    sectors: [...list(node.sector), ...transactions.flatMap((t) => list(t.sector))].map((sector) => ({
      code: attr(sector, 'code') ?? '',
      vocabulary: attr(sector, 'vocabulary'),
    })),
    dates,
    transactions: transactions.map((t) => ({
      type: attr(one(t, 'transaction-type'), 'code'),
      date: attr(one(t, 'transaction-date'), 'iso-date'),
      value: valueOf(t),
    })),
    budgets: list(node.budget).map((budget) => ({ type: attr(budget, 'type'), value: valueOf(budget) })),
  };
}

/** The activities of an IATI activity file (root element iati-activities). */
export function parseActivities(xml: string): ParsedActivity[] {
  assertSafeWellFormed(xml);
  let document: Node;
  try {
    document = parser.parse(xml) as Node;
  } catch (error) {
    throw badRequest(`malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = document['iati-activities'] as Node | undefined;
  if (!root || typeof root !== 'object')
    throw badRequest('not an IATI activity file: the root must be iati-activities');
  return list(root['iati-activity']).map(activityOf);
}
