import { readFileSync } from 'node:fs';
import peggy from 'peggy';
import { badRequest } from '../http/http-error.js';
import { type Expr, ExprJson } from './cql2.ast.js';
import { parseOrThrow } from '../http/route.js';

// The parser is generated from the grammar once, when the module loads (a few milliseconds).
const grammar = readFileSync(new URL('./cql2.peggy', import.meta.url), 'utf8');
const parser = peggy.generate(grammar);

/** Longer filters are refused before parsing: no client needs them, and they only cost. */
export const MAX_FILTER_CHARS = 10_000;
const MAX_DEPTH = 50;

export type FilterLang = 'cql2-text' | 'cql2-json';

/** A filter in either encoding as its tree; a syntax error is a 400 that says where. */
export function parseFilter(text: string, lang: FilterLang): Expr {
  if (text.length > MAX_FILTER_CHARS) throw badRequest(`filter: longer than ${MAX_FILTER_CHARS} characters`);
  let tree: Expr;
  if (lang === 'cql2-json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badRequest('filter: not valid JSON (filter-lang=cql2-json)');
    }
    if (depth(json) > MAX_DEPTH) throw badRequest(`filter: nested deeper than ${MAX_DEPTH} levels`);
    tree = parseOrThrow(ExprJson, json, 'filter');
  } else {
    try {
      tree = parser.parse(text) as Expr;
    } catch (error) {
      const where = (error as { location?: { start: { column: number } } }).location?.start.column;
      throw badRequest(`filter: ${(error as Error).message}${where ? ` (at character ${where})` : ''}`);
    }
    if (depth(tree) > MAX_DEPTH) throw badRequest(`filter: nested deeper than ${MAX_DEPTH} levels`);
  }
  return tree;
}

function depth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depth(child));
  return deepest + 1;
}
