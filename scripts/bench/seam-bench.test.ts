import { describe, expect, it } from 'vitest';
import { frameDiff, quantile, seamRow } from './seam-bench.js';

const flat = (v: number) => new Uint8Array(12).fill(v);

describe('seam metrics', () => {
  it('measures mean absolute byte differences and nearest-rank quantiles', () => {
    expect(frameDiff(flat(10), flat(13))).toBe(3);
    expect(quantile([5, 1, 2, 3, 4, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });

  it('finds a cut: the seam step against the typical step on both sides', () => {
    // Source 0,1,…,39 (steps of 1), then a jump of 20, then steps of 2.
    const frames = [...Array.from({ length: 40 }, (_, t) => flat(t)), ...Array.from({ length: 6 }, (_, t) => flat(59 + 2 * t))];
    const row = seamRow('hard-cut', frames, 40, [39, 40]);
    expect(row).toMatchObject({ seam: 20, typicalSource: 1, typicalNew: 2, ratio: 20 });
  });
});
