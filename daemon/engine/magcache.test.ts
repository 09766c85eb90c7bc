import { describe, expect, it } from 'vitest';
import { MagCache, nearestStepInterpolation, residualNormRatio } from './magcache.js';
import { MagCacheCalibrator, makeStepCache, type StepCacheSpec } from './step-cache.js';

/** Runs `calls` decisions, storing a residual after every computed call as the loop does. */
function trace(cache: MagCache, calls: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < calls; i++) {
    const compute = cache.shouldCompute();
    if (compute) cache.storeResidual(new Float32Array([0, 0]), new Float32Array([1, 1]));
    out.push(compute);
  }
  return out;
}

describe('MagCache rule (Studio / MagCache4FramePack)', () => {
  // Hand trace, threshold 0.1, 2 skips, retention 0.2 of 10 steps (steps 0 and 1 kept):
  // 2: acc 1.02, err 0.02 → skip; 3: acc 1.0404, err 0.0604 → skip; 4: err 0.1216 > 0.1 → compute, reset;
  // 5: |1 − 1.2| > 0.06 → compute, reset; 6, 7 skip; 8: a third skip in a row → compute; 9 skip.
  const ratios = [1, 1, 1.02, 1.02, 1.02, 1.2, 1, 1, 1, 1];
  const expected = [true, true, false, false, true, true, false, false, true, false];

  it('skips while the accumulated error, the consecutive-skip count and the per-step deviation allow', () => {
    const c = new MagCache({ numSteps: 10, ratios, threshold: 0.1, maxSkips: 2, retention: 0.2 });
    expect(trace(c, 10)).toEqual(expected);
    expect(c.stats).toEqual({ computed: 5, skipped: 5 });
  });

  it('starts over after numSteps calls (the next section round)', () => {
    const c = new MagCache({ numSteps: 10, ratios, threshold: 0.1, maxSkips: 2, retention: 0.2 });
    expect(trace(c, 20)).toEqual([...expected, ...expected]);
  });

  it('keeps the first ⌊retention·steps⌋ steps and honours maxSkips 0 (never skips)', () => {
    const flat = Array(10).fill(1);
    expect(trace(new MagCache({ numSteps: 10, ratios: flat, retention: 0.5, maxSkips: 2, threshold: 1 }), 10).slice(0, 5)).toEqual([true, true, true, true, true]);
    expect(trace(new MagCache({ numSteps: 10, ratios: flat, maxSkips: 0 }), 10).every(Boolean)).toBe(true);
  });

  it('uses Studio defaults (0.1, 2 skips, 0.25 retention)', () => {
    // 8 steps: ⌊0.25·8⌋ = 2 kept; then skip, skip, compute, skip, skip, compute.
    expect(trace(new MagCache({ numSteps: 8, ratios: Array(8).fill(1) }), 8)).toEqual([true, true, false, false, true, false, false, true]);
  });

  it('reuses the last computed residual when skipping', () => {
    const c = new MagCache({ numSteps: 4, ratios: [1, 1, 1, 1], retention: 0 });
    expect(() => c.applyCachedResidual(new Float32Array(2))).toThrow(/before any residual/);
    expect(c.shouldCompute()).toBe(true);
    c.storeResidual(new Float32Array([1, 2]), new Float32Array([1.5, 1]));
    expect(c.shouldCompute()).toBe(false);
    expect([...c.applyCachedResidual(new Float32Array([10, 10]))]).toEqual([10.5, 9]);
  });
});

describe('nearestStepInterpolation (numpy round half to even)', () => {
  const idx = (n: number) => Array.from({ length: n }, (_, i) => i);
  it('resamples 25 calibrated steps to 10', () => {
    expect(nearestStepInterpolation(idx(25), 10)).toEqual([0, 3, 5, 8, 11, 13, 16, 19, 21, 24]);
  });
  it('rounds exact halves to even and keeps equal lengths', () => {
    expect(nearestStepInterpolation([10, 11, 12, 13], 3)).toEqual([10, 12, 13]);
    expect(nearestStepInterpolation([1, 2, 3], 3)).toEqual([1, 2, 3]);
    expect(nearestStepInterpolation([1, 2, 3], 1)).toEqual([3]);
  });
});

describe('calibration statistic', () => {
  it('is the per-token mean of ‖current‖ / ‖previous‖ over the hidden axis', () => {
    // token 0: 5 / 5; token 1: 2 / 1.
    expect(residualNormRatio(new Float32Array([3, 4, 0, 2]), new Float32Array([0, 5, 1, 0]), 2)).toBeCloseTo(1.5, 12);
    expect(() => residualNormRatio(new Float32Array(3), new Float32Array(3), 2)).toThrow(/whole tokens/);
  });

  it('the calibrator records [1, ratio_1, …] from consecutive residuals', () => {
    const c = new MagCacheCalibrator(1);
    for (const scale of [1, 2, 3]) {
      expect(c.shouldCompute()).toBe(true);
      c.storeResidual(new Float32Array([0, 0]), new Float32Array([scale, scale]));
    }
    expect(c.ratios()).toEqual([1, 2, 1.5]);
  });
});

describe('makeStepCache', () => {
  const spec: StepCacheSpec & { model: string } = { cache: 'mag', steps: 4, teacacheThreshold: 0.15, magcacheThreshold: 0.1, magcacheMaxSkips: 2, magcacheRetention: 0.25, model: 'm1' };
  it('refuses mag without calibration, naming the command that fixes it', () => {
    expect(() => makeStepCache(spec, null)).toThrow('run `framepack models calibrate m1` once');
  });
  it('off computes every call; tea computes when the graph gives no signal', () => {
    const off = makeStepCache({ ...spec, cache: 'off' }, null);
    expect([off.shouldCompute(null), off.shouldCompute(null)]).toEqual([true, true]);
    expect(off.stats).toEqual({ computed: 2, skipped: 0 });
    const tea = makeStepCache({ ...spec, cache: 'tea' }, null);
    expect(tea.shouldCompute(null)).toBe(true);
    expect(tea.stats.computed).toBe(1);
  });
  it('mag follows the calibrated ratios', () => {
    const mag = makeStepCache(spec, { ratios: [1, 1, 1, 1] });
    const got = [0, 1, 2, 3].map(() => {
      const c = mag.shouldCompute(null);
      if (c) mag.storeResidual(new Float32Array(1), new Float32Array(1));
      return c;
    });
    // ⌊0.25·4⌋ = 1 kept, two skips, then the third in a row computes.
    expect(got).toEqual([true, false, false, true]);
  });
});
