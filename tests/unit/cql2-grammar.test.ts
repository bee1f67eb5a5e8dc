import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../server/src/ogc/cql2.parser.js';
import { HttpError } from '../../server/src/http/http-error.js';

// One test per rule of the CQL2 text grammar (server/src/ogc/cql2.peggy), each checking the tree
// it builds, which is the CQL2-JSON of the same filter: the JSON encoding must give the same tree.

const text = (filter: string) => parseFilter(filter, 'cql2-text');
const json = (filter: unknown) => parseFilter(JSON.stringify(filter), 'cql2-json');

/** The text gives this tree, and the tree as CQL2-JSON gives it back. */
function same(filter: string, tree: unknown) {
  expect(text(filter)).toEqual(tree);
  expect(json(tree)).toEqual(tree);
}

function refused(filter: string, lang: 'cql2-text' | 'cql2-json' = 'cql2-text') {
  let error: unknown;
  try {
    parseFilter(filter, lang);
  } catch (e) {
    error = e;
  }
  expect(error, filter).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(400);
  return (error as HttpError).message;
}

const a = { property: 'a' };

describe('CQL2 text grammar, rule by rule', () => {
  it('Filter: whitespace around the expression, and nothing after it', () => {
    same('  a = 1 \n', { op: '=', args: [a, 1] });
    refused('a = ');
    refused("status = 'a' OR 1=1; DROP TABLE x");
  });

  it('BooleanExpression: OR of terms, case-insensitive', () => {
    same('a = 1 OR a = 2 or a = 3', { op: 'or', args: [1, 2, 3].map((n) => ({ op: '=', args: [a, n] })) });
  });

  it('BooleanTerm: AND binds tighter than OR', () => {
    same('a = 1 OR a = 2 AND a = 3', {
      op: 'or',
      args: [
        { op: '=', args: [a, 1] },
        {
          op: 'and',
          args: [
            { op: '=', args: [a, 2] },
            { op: '=', args: [a, 3] },
          ],
        },
      ],
    });
  });

  it('BooleanFactor: NOT', () => {
    same('NOT a = 1', { op: 'not', args: [{ op: '=', args: [a, 1] }] });
    same('not(a = 1)', { op: 'not', args: [{ op: '=', args: [a, 1] }] });
  });

  it('BooleanPrimary: parentheses and boolean literals', () => {
    same('(a = 1 OR a = 2) AND TRUE', {
      op: 'and',
      args: [
        {
          op: 'or',
          args: [
            { op: '=', args: [a, 1] },
            { op: '=', args: [a, 2] },
          ],
        },
        true,
      ],
    });
    same('false', false);
  });

  it('BinaryComparisonPredicate and ComparisonOperator: = <> < > <= >=', () => {
    for (const op of ['=', '<>', '<', '>', '<=', '>=']) same(`a ${op} 1`, { op, args: [a, 1] });
    same('a<>1', { op: '<>', args: [a, 1] });
  });

  it('IsLikePredicate: LIKE and NOT LIKE', () => {
    same("a LIKE 'LAO-%'", { op: 'like', args: [a, 'LAO-%'] });
    same("a NOT LIKE '_x'", { op: 'not', args: [{ op: 'like', args: [a, '_x'] }] });
  });

  it('IsNullPredicate: IS NULL and IS NOT NULL', () => {
    same('a IS NULL', { op: 'isNull', args: [a] });
    same('a is not null', { op: 'not', args: [{ op: 'isNull', args: [a] }] });
  });

  it('SpatialPredicate with BboxLiteral: 4 or 6 numbers', () => {
    same('S_INTERSECTS(geometry, BBOX(103, 19, 104, 20))', {
      op: 's_intersects',
      args: [{ property: 'geometry' }, { bbox: [103, 19, 104, 20] }],
    });
    same('s_intersects(geometry,bbox(1,2,0,3,4,10))', {
      op: 's_intersects',
      args: [{ property: 'geometry' }, { bbox: [1, 2, 0, 3, 4, 10] }],
    });
    refused('S_INTERSECTS(geometry, BBOX(1, 2, 3))');
  });

  it('GeometryLiteral: POINT, LINESTRING, POLYGON and the MULTI types (with Position z)', () => {
    const g = { property: 'geometry' };
    const on = (geometry: unknown) => ({ op: 's_intersects', args: [g, geometry] });
    same('S_INTERSECTS(geometry, POINT(103.2 19.45))', on({ type: 'Point', coordinates: [103.2, 19.45] }));
    same('S_INTERSECTS(geometry, POINT(1 2 3))', on({ type: 'Point', coordinates: [1, 2, 3] }));
    same(
      'S_INTERSECTS(geometry, LINESTRING(0 0, 1 1))',
      on({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    );
    const ring = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    same('S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))', on({ type: 'Polygon', coordinates: [ring] }));
    same(
      'S_INTERSECTS(geometry, MULTIPOINT((0 0), (1 1)))',
      on({
        type: 'MultiPoint',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    );
    same(
      'S_INTERSECTS(geometry, MULTIPOINT(0 0, 1 1))',
      on({
        type: 'MultiPoint',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    );
    same(
      'S_INTERSECTS(geometry, MULTILINESTRING((0 0, 1 1), (2 2, 3 3)))',
      on({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
          [
            [2, 2],
            [3, 3],
          ],
        ],
      }),
    );
    same(
      'S_INTERSECTS(geometry, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0))))',
      on({ type: 'MultiPolygon', coordinates: [[ring]] }),
    );
    same('S_INTERSECTS(POINT(1 2), geometry)', {
      op: 's_intersects',
      args: [{ type: 'Point', coordinates: [1, 2] }, g],
    });
  });

  it("CharacterLiteral: '' stands for one quote", () => {
    same("a = 'x''y'", { op: '=', args: [a, "x'y"] });
    same("a = ''", { op: '=', args: [a, ''] });
    same('a = \'a "b" -- c; /* d */\'', { op: '=', args: [a, 'a "b" -- c; /* d */'] });
  });

  it('NumericLiteral: signs, decimals and exponents', () => {
    same('a <> -2.5e3', { op: '<>', args: [a, -2500] });
    same('a = +.5', { op: '=', args: [a, 0.5] });
    same('a = 1E-2', { op: '=', args: [a, 0.01] });
    same('a = 7.', { op: '=', args: [a, 7] });
  });

  it('InstantLiteral: DATE and TIMESTAMP', () => {
    same("a >= DATE('2020-01-31')", { op: '>=', args: [a, { date: '2020-01-31' }] });
    same("a < TIMESTAMP('2020-01-31T10:00:00Z')", { op: '<', args: [a, { timestamp: '2020-01-31T10:00:00Z' }] });
    refused("a = DATE('2020-1-31')");
  });

  it('PropertyName: plain, double-quoted, and never a bare keyword', () => {
    same('recorded_on = 1', { op: '=', args: [{ property: 'recorded_on' }, 1] });
    same('"and" = 1', { op: '=', args: [{ property: 'and' }, 1] });
    same('andy = 1', { op: '=', args: [{ property: 'andy' }, 1] });
    refused('and = 1');
    same('1 = a', { op: '=', args: [1, a] });
  });
});

describe('what the grammar refuses (400)', () => {
  it.each([
    'upper(a) = 1',
    'a = 1; DELETE FROM hazards',
    'a = 1 -- comment',
    'a = 1 /* comment */',
    'a = "b" OR',
    "a = 'unterminated",
    'a + 1 = 2',
    'a BETWEEN 1 AND 2',
    "a IN ('x')",
    'S_CONTAINS(geometry, POINT(1 2))',
    '',
    '((((a = 1)',
  ])('%s', (filter) => {
    refused(filter);
  });

  it('JSON filters outside the Basic level, or malformed', () => {
    refused('{"op":"between","args":[{"property":"a"},1,2]}', 'cql2-json');
    refused('{"op":"=","args":[{"property":"a"}]}', 'cql2-json');
    refused('{"op":"=","args":[{"function":{"name":"pg_sleep","args":[1]}},1]}', 'cql2-json');
    refused('{"op":"and","args":[true]}', 'cql2-json');
    refused('not json', 'cql2-json');
    refused(`${'{"op":"not","args":['.repeat(60)}true${']}'.repeat(60)}`, 'cql2-json');
  });

  it('filters past the length limit', () => {
    expect(refused(`a = '${'x'.repeat(10_001)}'`)).toMatch(/longer than/);
  });
});
