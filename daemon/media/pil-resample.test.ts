import { describe, expect, it } from 'vitest';
import { pilResize, type PilFilter } from './pil-resample.js';
import type { RgbImage } from './pixels.js';

const solid = (width: number, height: number, c: [number, number, number]): RgbImage => ({
  width,
  height,
  rgb: Uint8Array.from({ length: width * height * 3 }, (_, i) => c[i % 3]!),
});

// Bit-exactness against Pillow itself is in test/crosscheck/pil-resample.crosscheck.test.ts.
describe('pilResize', () => {
  it('averages two pixels into one with round-half-up fixed point (bilinear 2→1)', () => {
    // Pillow: weights 0.5/0.5 → (10 + 21)/2 = 15.5 → 16 after adding the half-unit.
    const out = pilResize({ width: 2, height: 1, rgb: Uint8Array.from([10, 0, 255, 21, 1, 255]) }, 1, 1, 'bilinear');
    expect(Array.from(out.rgb)).toEqual([16, 1, 255]);
  });

  it.each<PilFilter>(['bilinear', 'bicubic', 'lanczos'])('keeps a constant image constant with %s, up and down', (filter) => {
    for (const [w, h] of [[7, 5], [40, 3], [1, 9]] as const) {
      const out = pilResize(solid(13, 11, [3, 128, 250]), w, h, filter);
      expect([out.width, out.height]).toEqual([w, h]);
      expect(out.rgb.every((v, i) => v === [3, 128, 250][i % 3])).toBe(true);
    }
  });

  it('lanczos overshoots at a hard edge and clamps to 0..255', () => {
    // A black/white step upscaled: Lanczos rings, and the fixed-point sum is clipped, not wrapped.
    const step: RgbImage = { width: 8, height: 1, rgb: Uint8Array.from({ length: 24 }, (_, i) => (Math.floor(i / 3) < 4 ? 0 : 255)) };
    const out = pilResize(step, 32, 1, 'lanczos');
    const reds = Array.from(out.rgb.filter((_, i) => i % 3 === 0));
    expect(reds[0]).toBe(0);
    expect(reds[31]).toBe(255);
    expect(reds.some((v) => v === 0)).toBe(true);
    expect(reds.some((v) => v === 255)).toBe(true);
    expect(reds.some((v) => v > 0 && v < 255)).toBe(true);
  });

  it('returns a copy at the same size and refuses bad sizes', () => {
    const img = solid(4, 4, [1, 2, 3]);
    const same = pilResize(img, 4, 4, 'lanczos');
    expect(same.rgb).not.toBe(img.rgb);
    expect(Array.from(same.rgb)).toEqual(Array.from(img.rgb));
    expect(() => pilResize(img, 0, 4, 'lanczos')).toThrow(/bad size/);
    expect(() => pilResize({ width: 4, height: 4, rgb: new Uint8Array(5) }, 2, 2, 'lanczos')).toThrow(/needs 48 bytes/);
  });
});
