import type { RawBuilder } from 'kysely';
import type { Actor } from '../auth/actor.js';
import { badRequest } from '../http/http-error.js';
import type { Expr, Scalar } from './cql2.ast.js';
import { parseFilter } from './cql2.parser.js';
import { type FilterTarget, toSql } from './cql2.sql.js';
import type { OgcCollection } from './ogc.model.js';
import type { ItemsQuery } from './ogc.schema.js';

// An items request's selection as one CQL2 tree (bbox, datetime, property parameters and the
// filter, all ANDed), so every part goes through the same translator and whitelist.

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A datetime parameter on a date property: a day, or an interval with open ends as "..". */
export function datetimeExpr(property: string, value: string): Expr[] {
  const ends = value.split('/');
  if (ends.length > 2) throw badRequest('datetime: an instant or start/end');
  const day = (end: string) => {
    if (!INSTANT.test(end)) throw badRequest(`datetime: ${end} is not an RFC 3339 date or date-time`);
    // The temporal properties are dates: an instant stands for its (UTC) day.
    return { date: end.slice(0, 10) };
  };
  const p = { property };
  if (ends.length === 1) return [{ op: '=', args: [p, day(ends[0]!)] }];
  const [start, end] = ends.map((e) => (e === '' || e === '..' ? undefined : day(e)));
  if (start && end && start.date > end.date) throw badRequest('datetime: the interval ends before it starts');
  return [
    ...(start ? [{ op: '>=', args: [p, start] } as Expr] : []),
    ...(end ? [{ op: '<=', args: [p, end] } as Expr] : []),
  ];
}

/** `?status=open`: the parameter's text read as its queryable's type. */
function equality(name: string, value: string, target: FilterTarget): Expr {
  const type = target.queryables[name]!.type;
  let literal: Scalar = value;
  if (type === 'integer' || type === 'number') {
    literal = Number(value);
    if (value.trim() === '' || !Number.isFinite(literal)) throw badRequest(`${name}: ${value} is not a number`);
  } else if (type === 'boolean') {
    if (value !== 'true' && value !== 'false') throw badRequest(`${name}: true or false`);
    literal = value === 'true';
  }
  return { op: '=', args: [{ property: name }, literal] };
}

export function itemsWhere(collection: OgcCollection, actor: Actor | null, query: ItemsQuery): RawBuilder<boolean> {
  const target = collection.target(actor);
  const parts: Expr[] = [];
  if (query.bbox) parts.push({ op: 's_intersects', args: [{ property: 'geometry' }, { bbox: query.bbox }] });
  if (query.datetime) {
    if (!collection.temporal) throw badRequest(`datetime: the ${collection.id} collection has no temporal property`);
    parts.push(...datetimeExpr(collection.temporal, query.datetime));
  }
  for (const [name, q] of Object.entries(target.queryables)) {
    const value = query[name];
    if (q.type !== 'geometry' && typeof value === 'string') parts.push(equality(name, value, target));
  }
  if (query.filter !== undefined) parts.push(parseFilter(query.filter, query['filter-lang']));
  return toSql(parts.length === 1 ? parts[0]! : { op: 'and', args: parts }, target);
}
