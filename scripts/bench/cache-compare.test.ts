import { describe, expect, it } from 'vitest';
import { cachesLines, summarizeCaches, type CacheCaseResult } from './cache-compare.js';

const r = (cache: CacheCaseResult['cache'], mode: string, generateSeconds: number, skippedCalls: number, lateHistDistance: number, psnrVsOffDb: number | null): CacheCaseResult =>
  ({ cache, mode, generateSeconds, computedCalls: 100 - skippedCalls, skippedCalls, lateHistDistance, psnrVsOffDb });

describe('summarizeCaches', () => {
  it('speed-up against off, skipped share, drift (all and inverted) and PSNR per cache, in the given order', () => {
    const row = summarizeCaches([
      r('off', 'inverted', 10, 0, 0.1, null), r('off', 'vanilla', 10, 0, 0.3, null),
      r('mag', 'inverted', 6, 50, 0.1, 40), r('mag', 'vanilla', 4, 30, 0.2, 30),
    ], ['off', 'mag']);
    expect(row.caches).toEqual([
      { cache: 'off', jobs: 2, generateSeconds: 20, speedup: 1, skippedFraction: 0, meanLateHistDistance: 0.2, meanLateHistDistanceInverted: 0.1, meanPsnrVsOffDb: null },
      { cache: 'mag', jobs: 2, generateSeconds: 10, speedup: 2, skippedFraction: 0.4, meanLateHistDistance: 0.15, meanLateHistDistanceInverted: 0.1, meanPsnrVsOffDb: 35 },
    ]);
    expect(cachesLines(row)).toContain('mag 2 jobs    10.0 s  speed-up ×2.00  blocks skipped  40 %');
  });

  it('without an off run there is no speed-up', () => {
    expect(summarizeCaches([r('tea', 'inverted', 5, 10, 0.1, null)], ['tea']).caches[0]!.speedup).toBeNull();
  });
});
