import { describe, expect, it } from 'vitest';
import { inBox, listIndexAt, sideListGeometry } from './hit.js';

describe('mouse hit tests', () => {
  it('places a cell in a box or outside it', () => {
    const box = { x: 3, y: 1, width: 10, height: 5 };
    expect(inBox({ x: 3, y: 1 }, box)).toEqual({ col: 0, row: 0 });
    expect(inBox({ x: 12, y: 5 }, box)).toEqual({ col: 9, row: 4 });
    expect(inBox({ x: 13, y: 5 }, box)).toBeNull();
    expect(inBox({ x: 2, y: 3 }, box)).toBeNull();
  });

  it('maps a row of a two-line-per-item list under a header to the item, from the scrolled start', () => {
    const o = { start: 4, count: 7, headerRows: 1, rowsPerItem: 2 };
    expect(listIndexAt(0, o)).toBeNull();
    expect(listIndexAt(1, o)).toBe(4);
    expect(listIndexAt(2, o)).toBe(4);
    expect(listIndexAt(3, o)).toBe(5);
    expect(listIndexAt(6, o)).toBe(6);
    expect(listIndexAt(7, o)).toBeNull();
  });

  it('knows how the Jobs, Outputs and Models lists are drawn; not the others', () => {
    expect(sideListGeometry('jobs', 20)).toEqual({ headerRows: 1, rowsPerItem: 2, windowItems: 9 });
    expect(sideListGeometry('outputs', 20)).toEqual({ headerRows: 0, rowsPerItem: 2, windowItems: 10 });
    expect(sideListGeometry('models', 20)).toEqual({ headerRows: 1, rowsPerItem: 1, windowItems: 19 });
    expect(sideListGeometry('settings', 20)).toBeNull();
  });
});
