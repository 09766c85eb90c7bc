import { describe, expect, it } from 'vitest';
import { pyFloorDiv, pyInt, pyRound } from './round-half-even.js';

describe('pyRound (Python round, ties to even)', () => {
  it('rounds exact halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, -0.5, -1.5, -2.5].map(pyRound)).toEqual([0, 2, 2, 4, 4, 0, -2, -2]);
  });
  it('rounds non-ties to nearest', () => {
    expect([0.49999999999999994, 2.5000000000000004, 2.4999999999999996, 7.7, -7.7].map(pyRound)).toEqual([0, 3, 2, 8, -8]);
  });
  it('differs from Math.round exactly on ties with an odd floor', () => {
    expect(pyRound(2.5)).toBe(2);
    expect(Math.round(2.5)).toBe(3);
    expect(pyRound(3.5)).toBe(Math.round(3.5));
  });
  it('keeps integers and large values', () => {
    expect(pyRound(12)).toBe(12);
    expect(pyRound(2 ** 53)).toBe(2 ** 53);
    expect(() => pyRound(NaN)).toThrow();
  });
});

describe('pyInt / pyFloorDiv', () => {
  it('truncates toward zero', () => {
    expect([1.9, -1.9, 0.2, -0.2].map(pyInt)).toEqual([1, -1, 0, 0]);
    expect(Object.is(pyInt(-0.2), 0)).toBe(true);
  });
  it('floors integer division', () => {
    expect(pyFloorDiv(7, 2)).toBe(3);
    expect(pyFloorDiv(-7, 2)).toBe(-4);
    expect(pyFloorDiv(36, 4)).toBe(9);
  });
});
