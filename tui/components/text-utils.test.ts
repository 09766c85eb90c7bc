import { describe, expect, it } from 'vitest';
import { gauge, pad, truncate, truncateStart, windowRange } from './text-utils.js';

describe('text utils', () => {
  it('cuts to a column budget with an ellipsis at either end', () => {
    expect([truncate('abcdef', 4), truncate('abc', 4), truncate('abc', 1), truncate('abc', 0)]).toEqual(['abc…', 'abc', '…', '']);
    expect(truncateStart('/a/b/c.mp4', 6)).toBe('…c.mp4');
    expect(pad('ab', 4)).toBe('ab  ');
  });

  it('draws gauges and keeps the selected row of a long list visible', () => {
    expect([gauge(0.5, 4), gauge(2, 3), gauge(Number.NaN, 2)]).toEqual(['██░░', '███', '░░']);
    expect(windowRange(3, 2, 5)).toEqual([0, 3]);
    expect(windowRange(100, 50, 10)).toEqual([45, 55]);
    expect(windowRange(100, 99, 10)).toEqual([90, 100]);
  });
});
