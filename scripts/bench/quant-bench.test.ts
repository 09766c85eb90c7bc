import { describe, expect, it } from 'vitest';
import { perFramePsnr, psnr } from './quant-bench.js';

describe('quant bench metrics', () => {
  it('psnr: 10·log10(255² / MSE), Infinity for identical frames, refuses mismatched sizes', () => {
    const a = new Uint8Array([10, 20, 30, 40]);
    expect(psnr(a, a)).toBe(Infinity);
    // MSE = (1 + 1 + 1 + 1) / 4 = 1 → 48.13 dB.
    expect(psnr(a, new Uint8Array([11, 19, 31, 39]))).toBeCloseTo(10 * Math.log10(255 * 255), 10);
    expect(psnr(new Uint8Array([0, 0]), new Uint8Array([255, 255]))).toBe(0);
    expect(() => psnr(a, new Uint8Array(3))).toThrow(/4 and 3 bytes/);
  });

  it('perFramePsnr: per frame, identical frames count as 99 dB in the summary, shapes must match', () => {
    const f = (v: number) => new Uint8Array(6).fill(v);
    const ref = { width: 1, height: 2, frames: [f(0), f(0), f(0)] };
    const test = { width: 1, height: 2, frames: [f(0), f(1), f(3)] };
    const { perFrame, summary } = perFramePsnr(ref, test);
    expect(perFrame[0]).toBe(Infinity);
    expect(perFrame[1]).toBeCloseTo(48.13, 2);
    expect(perFrame[2]).toBeCloseTo(48.13 - 20 * Math.log10(3), 2);
    expect(summary).toMatchObject({ frames: 3, first: 99, minAt: 2 });
    expect(summary.min).toBeCloseTo(perFrame[2]!, 10);
    expect(summary.median).toBeCloseTo(perFrame[1]!, 10);
    expect(summary.mean).toBeCloseTo((99 + perFrame[1]! + perFrame[2]!) / 3, 10);
    expect(() => perFramePsnr(ref, { ...test, frames: test.frames.slice(1) })).toThrow(/videos differ in shape/);
  });
});
