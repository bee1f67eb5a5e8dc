import { z } from 'zod';

// The CQL2 filter as a tree, in the shape of CQL2-JSON (OGC 21-065r2): the text grammar
// (cql2.peggy) builds it and a JSON filter is validated into it, so both reach one translator.

export type Scalar = string | number | boolean | { property: string } | { date: string } | { timestamp: string };
export type Position = number[];
export type GeometryLiteral =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString' | 'MultiPoint'; coordinates: Position[] }
  | { type: 'Polygon' | 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };
export type Spatial = { property: string } | { bbox: number[] } | GeometryLiteral;

export type Expr =
  | boolean
  | { op: 'and' | 'or'; args: Expr[] }
  | { op: 'not'; args: [Expr] }
  | { op: '=' | '<>' | '<' | '>' | '<=' | '>='; args: [Scalar, Scalar] }
  | { op: 'like'; args: [Scalar, Scalar] }
  | { op: 'isNull'; args: [Scalar] }
  | { op: 's_intersects'; args: [Spatial, Spatial] };

const Property = z.object({ property: z.string().min(1).max(100) }).strict();
const ScalarJson: z.ZodType<Scalar> = z.union([
  z.string().max(1000),
  z.number().finite(),
  z.boolean(),
  Property,
  z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict(),
  z.object({ timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-][\d:]+)$/) }).strict(),
]);

const Pos = z.array(z.number().finite()).min(2).max(3);
const Line = z.array(Pos).min(1);
const GeometryJson: z.ZodType<GeometryLiteral> = z.union([
  z.object({ type: z.literal('Point'), coordinates: Pos }).strict(),
  z.object({ type: z.enum(['LineString', 'MultiPoint']), coordinates: Line }).strict(),
  z.object({ type: z.enum(['Polygon', 'MultiLineString']), coordinates: z.array(Line).min(1) }).strict(),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Line).min(1)).min(1) }).strict(),
]);
const SpatialJson: z.ZodType<Spatial> = z.union([
  Property,
  z
    .object({
      bbox: z.array(z.number().finite()).refine((b) => b.length === 4 || b.length === 6, 'BBOX takes 4 or 6 numbers'),
    })
    .strict(),
  GeometryJson,
]);

/** A CQL2-JSON filter of the Basic level with S_INTERSECTS; anything else fails validation (400). */
export const ExprJson: z.ZodType<Expr> = z.lazy(() =>
  z.union([
    z.boolean(),
    z.object({ op: z.enum(['and', 'or']), args: z.array(ExprJson).min(2) }).strict(),
    z.object({ op: z.literal('not'), args: z.tuple([ExprJson]) }).strict(),
    z
      .object({ op: z.enum(['=', '<>', '<', '>', '<=', '>=', 'like']), args: z.tuple([ScalarJson, ScalarJson]) })
      .strict(),
    z.object({ op: z.literal('isNull'), args: z.tuple([ScalarJson]) }).strict(),
    z.object({ op: z.literal('s_intersects'), args: z.tuple([SpatialJson, SpatialJson]) }).strict(),
  ]),
);
