import { describe, expect, it } from 'vitest';
import { SIGLIP_NORMALISATION, siglipPixelValues } from './siglip-preprocess.js';

describe('siglipPixelValues', () => {
  it('rescales to [-1, 1] and reorders HWC to CHW', () => {
    // 2 × 1 image: pixel 0 = (0, 128, 255), pixel 1 = (255, 0, 51)
    const out = siglipPixelValues(Uint8Array.from([0, 128, 255, 255, 0, 51]), 2, 1);
    const expected = [0, 255, 128, 0, 255, 51].map((v) => Math.fround((v / 255 - 0.5) / 0.5));
    expect(Array.from(out)).toEqual(expected);
    expect(out[0]).toBe(-1);
    expect(out[1]).toBe(1);
  });

  it('applies per-channel mean and std', () => {
    const out = siglipPixelValues(Uint8Array.from([255, 255, 255]), 1, 1, { ...SIGLIP_NORMALISATION, mean: [0, 0.5, 1], std: [1, 0.25, 2] });
    expect(Array.from(out)).toEqual([1, 2, 0]);
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => siglipPixelValues(new Uint8Array(11), 2, 2)).toThrow(/not 2×2 RGB/);
  });
});
