import { describe, expect, it } from 'vitest';
import { exportCell, exportRecord, neutraliseFormula } from '../../src/kernel/spreadsheet-cells.ts';

describe('spreadsheet cells', () => {
  it('writes text that a spreadsheet would run as a formula as text', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")']) {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
    }
    for (const text of ['', 'plain', '云网', "'quoted", '1-2', ' =x']) expect(neutraliseFormula(text)).toBe(text);
  });

  it('keeps numbers, a negative one too, and booleans and empty cells as they are', () => {
    expect(exportCell(-3)).toBe(-3);
    expect(exportCell(0)).toBe(0);
    expect(exportCell(true)).toBe(true);
    expect(exportCell(null)).toBeNull();
    expect(exportRecord({ name: '-x', count: -2, done: false })).toEqual({ name: "'-x", count: -2, done: false });
  });
});
