/**
 * Keyset pagination: the repository fetches limit + 1 rows ordered by id, so a next page exists
 * exactly when the extra row came back; the cursor is the last id shown.
 */
export function featurePage<Row extends { id: string }, Feature>(
  rows: Row[],
  limit: number,
  toFeature: (row: Row) => Feature,
) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    type: 'FeatureCollection' as const,
    features: page.map(toFeature),
    next_cursor: rows.length > limit && last ? Number(last.id) : null,
  };
}
