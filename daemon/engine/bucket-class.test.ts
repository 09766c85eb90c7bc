import { describe, expect, it } from 'vitest';
import { bucketClass, describeBucketClass, nativeClass } from './bucket-class.js';
import { BUCKETS_640, nearestBucket } from './buckets.js';

const TINY = [[48, 128], [64, 112], [64, 96], [80, 80], [96, 64], [112, 64], [128, 48]].map(([heightPx, widthPx]) => ({ heightPx: heightPx!, widthPx: widthPx! }));

describe('bucket classes', () => {
  it('finds the native class of the official table (640) and of the tiny one (80)', () => {
    expect(nativeClass(BUCKETS_640)).toBe(640);
    expect(nativeClass(TINY)).toBe(80);
  });

  it('returns the table itself for no class or the native class, not off-distribution', () => {
    for (const r of [null, 640]) {
      const c = bucketClass(BUCKETS_640, r);
      expect(c.buckets).toEqual(BUCKETS_640.map((b) => ({ ...b })));
      expect(c.offDistribution).toBe(false);
    }
    expect(describeBucketClass(bucketClass(BUCKETS_640, null))).toBe('640 class (native)');
  });

  it('scales the official table to 320 (multiples of 16, the official order) and marks it off-distribution', () => {
    const c = bucketClass(BUCKETS_640, 320);
    expect(c.offDistribution).toBe(true);
    expect(c.buckets[0]).toEqual({ heightPx: 208, widthPx: 480 });
    expect(c.buckets.find((b) => b.heightPx === 320)).toEqual({ heightPx: 320, widthPx: 304 });
    for (const b of c.buckets) expect([b.heightPx % 16, b.widthPx % 16]).toEqual([0, 0]);
    // A square input still picks the later of the two near-square buckets (H 320 × W 304).
    expect(nearestBucket(1000, 1000, c.buckets)).toEqual({ heightPx: 320, widthPx: 304 });
    expect(describeBucketClass(c)).toBe('320 class (off-distribution: the model was trained on the 640 class)');
  });

  it('scales up to 960 (1.5×): 608×640 becomes 912×960', () => {
    const c = bucketClass(BUCKETS_640, 960);
    expect(c.buckets).toContainEqual({ heightPx: 912, widthPx: 960 });
    expect(c.buckets).toHaveLength(14);
  });

  it('drops buckets that round to the same size (tiny table at 32)', () => {
    const c = bucketClass(TINY, 32);
    const keys = c.buckets.map((b) => `${b.heightPx}x${b.widthPx}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(c.buckets.length).toBeLessThan(TINY.length);
    for (const b of c.buckets) expect(Math.min(b.heightPx, b.widthPx)).toBeGreaterThanOrEqual(16);
  });

  it('refuses classes out of range or fractional', () => {
    expect(() => bucketClass(BUCKETS_640, 16)).toThrow(/32–2048/);
    expect(() => bucketClass(BUCKETS_640, 4096)).toThrow(/32–2048/);
    expect(() => bucketClass(BUCKETS_640, 500.5)).toThrow(/integer/);
  });
});
