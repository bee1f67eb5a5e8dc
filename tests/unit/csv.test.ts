// Every CSV Safeground writes goes through shared/csv.ts: RFC 4180 quoting, and text that a
// spreadsheet would run as a formula prefixed with a single quote.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, csvTable, inertText } from '../../server/src/shared/csv.js';

describe('CSV cells', () => {
  it('quotes a field holding a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('makes text that starts like a formula inert with a single quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}cmd`)).toMatch(/^"?'/);
    expect(csvCell('=HYPERLINK("http://attacker.example/","Click")')).toBe(
      `"'=HYPERLINK(""http://attacker.example/"",""Click"")"`,
    );
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tTAB')).toBe("'\tTAB");
    // A carriage return needs the quote prefix and, being a line break, the field quotes too.
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Only the start counts.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('Ban Na - east')).toBe('Ban Na - east');
  });

  it('leaves numbers numbers, a negative one included, whether typed or written as text', () => {
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(1e21)).toBe('1e+21');
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell('-3e-7')).toBe('-3e-7');
    expect(csvCell('-12.5+A1')).toBe("'-12.5+A1");
    expect(inertText('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
  });

  it('writes records with CRLF line ends and tables with a header row', () => {
    expect(csvRow([1, 'LAO-1', null, '=1+1'])).toBe("1,LAO-1,,'=1+1\r\n");
    expect(csvTable(['a', 'b'], [{ a: 1, b: 'x,y' }, { a: -2 }])).toBe('a,b\r\n1,"x,y"\r\n-2,\r\n');
  });
});
