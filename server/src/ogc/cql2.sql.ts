import { sql, type RawBuilder } from 'kysely';
import { badRequest } from '../http/http-error.js';
import type { Expr, GeometryLiteral, Position, Scalar, Spatial } from './cql2.ast.js';

// The one translation of a CQL2 tree into SQL: every literal is a bound parameter, and a property
// name only selects a column expression from the collection's whitelist (its queryables); a name
// outside it is a 400 naming it. Nothing of the filter's text ever becomes SQL text.

export type QueryableType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'geometry';

export interface Queryable {
  type: QueryableType;
  /** The column (or expression) the property reads, as the reader sees it. */
  sql: RawBuilder<unknown>;
  description: string;
  enum?: readonly string[];
}

export interface FilterTarget {
  queryables: Readonly<Record<string, Queryable>>;
  /** "The feature's geometry, as this reader may see it, intersects this shape (EPSG:4326)." */
  intersects: (shape: RawBuilder<unknown>) => RawBuilder<boolean>;
}

/** The kinds of values that compare with each other. */
type Kind = 'string' | 'number' | 'boolean' | 'date';
const kindOf: Record<Exclude<QueryableType, 'geometry'>, Kind> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  date: 'date',
};

interface Operand {
  sql: RawBuilder<unknown>;
  kind: Kind;
}

export function toSql(expr: Expr, target: FilterTarget): RawBuilder<boolean> {
  if (typeof expr === 'boolean') return expr ? sql<boolean>`TRUE` : sql<boolean>`FALSE`;
  switch (expr.op) {
    case 'and':
    case 'or': {
      const parts = expr.args.map((arg) => toSql(arg, target));
      if (parts.length === 0) return sql<boolean>`TRUE`;
      return sql<boolean>`(${sql.join(parts, expr.op === 'and' ? sql` AND ` : sql` OR `)})`;
    }
    case 'not':
      return sql<boolean>`(NOT ${toSql(expr.args[0], target)})`;
    case 'isNull':
      return sql<boolean>`(${operand(expr.args[0], target).sql} IS NULL)`;
    case 'like': {
      const [value, pattern] = expr.args.map((arg) => operand(arg, target));
      for (const side of [value!, pattern!])
        if (side.kind !== 'string') throw badRequest('filter: LIKE compares character strings');
      return sql<boolean>`(${value!.sql} LIKE ${pattern!.sql})`;
    }
    case 's_intersects':
      return intersects(expr.args, target);
    default:
      return comparison(expr.op, expr.args, target);
  }
}

const OPERATORS = { '=': '=', '<>': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' } as const;

function comparison(op: keyof typeof OPERATORS, args: [Scalar, Scalar], target: FilterTarget): RawBuilder<boolean> {
  // A property's type decides how the literal on the other side is read ('2020-01-01' as a date).
  const hint = args.map((arg) => (isProperty(arg) ? queryable(arg.property, target).type : undefined)).find(Boolean);
  const [left, right] = args.map((arg) => operand(arg, target, hint));
  if (left!.kind !== right!.kind) {
    throw badRequest(`filter: cannot compare a ${left!.kind} with a ${right!.kind}`);
  }
  return sql<boolean>`(${left!.sql} ${sql.raw(OPERATORS[op])} ${right!.sql})`;
}

const isProperty = (value: unknown): value is { property: string } =>
  typeof value === 'object' && value !== null && 'property' in value;

function queryable(name: string, target: FilterTarget): Queryable {
  const found = Object.hasOwn(target.queryables, name) ? target.queryables[name] : undefined;
  if (!found) {
    throw badRequest(`filter: unknown property "${name}" (queryables: ${Object.keys(target.queryables).join(', ')})`, [
      { path: 'query.filter', message: `unknown property ${name}` },
    ]);
  }
  return found;
}

function operand(value: Scalar, target: FilterTarget, hint?: QueryableType): Operand {
  if (isProperty(value)) {
    const q = queryable(value.property, target);
    if (q.type === 'geometry') throw badRequest(`filter: ${value.property} is a geometry; use S_INTERSECTS`);
    return { sql: q.sql, kind: kindOf[q.type] };
  }
  if (typeof value === 'string') {
    return hint === 'date' ? { sql: sql`${value}::date`, kind: 'date' } : { sql: sql`${value}::text`, kind: 'string' };
  }
  if (typeof value === 'number') {
    // Against an integer column a whole number stays an integer, so the column's index serves.
    const cast = hint === 'integer' && Number.isSafeInteger(value) ? sql`${value}::bigint` : sql`${value}::float8`;
    return { sql: cast, kind: 'number' };
  }
  if (typeof value === 'boolean') return { sql: sql`${value}::boolean`, kind: 'boolean' };
  if ('date' in value) return { sql: sql`${value.date}::date`, kind: 'date' };
  return { sql: sql`${value.timestamp}::timestamptz`, kind: 'date' };
}

function intersects(args: [Spatial, Spatial], target: FilterTarget): RawBuilder<boolean> {
  const properties = args.filter(isProperty);
  const shapes = args.filter((arg) => !isProperty(arg));
  if (properties.length !== 1 || shapes.length !== 1) {
    throw badRequest('filter: S_INTERSECTS takes the geometry property and one BBOX or geometry literal');
  }
  const q = queryable(properties[0]!.property, target);
  if (q.type !== 'geometry') throw badRequest(`filter: ${properties[0]!.property} is not a geometry`);
  return target.intersects(shapeSql(shapes[0] as Exclude<Spatial, { property: string }>));
}

function shapeSql(shape: Exclude<Spatial, { property: string }>): RawBuilder<unknown> {
  if ('bbox' in shape) {
    const b = shape.bbox;
    const [w, s, e, n] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
    if (!(w! <= e! && s! <= n!)) throw badRequest('filter: BBOX must be west, south, east, north');
    return sql`ST_MakeEnvelope(${w}::float8, ${s}::float8, ${e}::float8, ${n}::float8, 4326)`;
  }
  checkGeometry(shape);
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(shape)}::text), 4326)`;
}

/** What PostGIS would refuse with an internal error: too few points, rings not closed. */
function checkGeometry(g: GeometryLiteral): void {
  const line = (points: Position[]) => {
    if (points.length < 2) throw badRequest('filter: a line takes at least 2 points');
  };
  const ring = (points: Position[]) => {
    const [first, last] = [points[0]!, points[points.length - 1]!];
    if (points.length < 4 || first[0] !== last[0] || first[1] !== last[1]) {
      throw badRequest('filter: a polygon ring takes at least 4 points and ends where it starts');
    }
  };
  if (g.type === 'LineString') line(g.coordinates);
  else if (g.type === 'MultiLineString') g.coordinates.forEach(line);
  else if (g.type === 'Polygon') g.coordinates.forEach(ring);
  else if (g.type === 'MultiPolygon') g.coordinates.forEach((polygon) => polygon.forEach(ring));
}
