import { describe, expect, it } from 'vitest';
import { parseGeoshape } from '../../server/src/imports/odk-geoshape.js';

describe('ODK geoshape strings', () => {
  const square = [
    [102.6, 17.9],
    [102.61, 17.9],
    [102.61, 17.91],
    [102.6, 17.9],
  ];

  it('reads latitude first, with or without altitude and accuracy, closing an open ring', () => {
    const closed = parseGeoshape('17.9 102.6 0 0;17.9 102.61 0 0;17.91 102.61 0 0;17.9 102.6 0 0');
    expect(closed.geometry).toEqual({ type: 'Polygon', coordinates: [square] });
    expect(parseGeoshape('17.9 102.6; 17.9 102.61 ;17.91 102.61;').geometry).toEqual(closed.geometry);
  });

  it('names what is wrong', () => {
    expect(parseGeoshape('17.9 102.6 0 0;17.91 102.61 0 0').problem).toBe(
      '2 points do not enclose an area (a shape needs at least 3)',
    );
    expect(parseGeoshape('17.9 102.6 0 0').problem).toBe('1 point does not enclose an area (a shape needs at least 3)');
    expect(parseGeoshape('17.9,102.6;1 2;3 4').problem).toBe(
      'point 1 ("17.9,102.6") is not "latitude longitude [altitude accuracy]"',
    );
    expect(parseGeoshape('102.6 17.9;1 2;3 4').problem).toBe(
      "point 1 has latitude 102.6 and longitude 17.9, outside the earth's range",
    );
  });
});
