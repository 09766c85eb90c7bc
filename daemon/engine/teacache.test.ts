import { describe, expect, it } from 'vitest';
import { roundToBf16 } from '../weights/float-convert.js';
import { evalPolynomial, relativeL1, TEACACHE_COEFFICIENTS, TEACACHE_DEFAULT_THRESHOLD, TeaCache } from './teacache.js';

const f = (x: number) => evalPolynomial(TEACACHE_COEFFICIENTS, x);
/** A constant signal. */
const ones = (n: number, v = 1) => new Float32Array(n).fill(v);

describe('TeaCache helpers', () => {
  it('polynomial 733.226126x⁴ − 401.131952x³ + 67.5869174x² − 3.149878x + 0.0961237896', () => {
    expect(f(0)).toBeCloseTo(0.0961237896, 12);
    const x = 0.1;
    expect(f(x)).toBeCloseTo(733.226126 * x ** 4 - 401.131952 * x ** 3 + 67.5869174 * x ** 2 - 3.149878 * x + 0.0961237896, 12);
    expect(TEACACHE_DEFAULT_THRESHOLD).toBe(0.15);
  });
  it('rel-L1 = mean|a − b| / mean|b|, bf16-rounded by default', () => {
    const prev = Float32Array.of(1, -2, 3, -4);
    const cur = Float32Array.of(1.1, -2, 3.3, -4);
    const exact = (0.1 + 0.3) / 4 / (10 / 4);
    expect(relativeL1(cur, prev, false)).toBeCloseTo(exact, 6);
    expect(relativeL1(cur, prev)).toBe(roundToBf16(roundToBf16((Math.fround(1.1) - 1 + Math.fround(3.3) - 3) / 4) / roundToBf16(2.5)));
  });
});

describe('TeaCache state machine', () => {
  it('always computes the first and last call of a section and resets the accumulator there', () => {
    const tc = new TeaCache({ enabled: true, numSteps: 4 });
    const d = [tc.decide(ones(8)), tc.decide(ones(8)), tc.decide(ones(8)), tc.decide(ones(8))];
    // Identical signals: rel = 0, f(0) ≈ 0.096 per call: 0.096 (skip), 0.192 ≥ 0.15 would compute on call 2.
    expect(d.map((x) => x.compute)).toEqual([true, false, true, true]);
    expect(d.map((x) => x.counter)).toEqual([0, 1, 2, 3]);
    expect(d[0]!.relL1).toBeNull();
    expect(d[3]!.relL1).toBeNull();
    expect(d[1]!.accumulated).toBeCloseTo(f(0), 12);
    expect(tc.stats).toEqual({ computed: 3, skipped: 1 });
  });
  it('accumulates f(rel) until the threshold, then computes and resets', () => {
    const tc = new TeaCache({ enabled: true, numSteps: 25, bf16Signal: false });
    const signals = [1, 1, 1.03, 1.03, 1.06, 1.06, 1.5, 1.5].map((v) => ones(16, v));
    const ds = signals.map((s) => tc.decide(s));
    let acc = 0;
    const expected: boolean[] = [true];
    for (let i = 1; i < signals.length; i++) {
      acc += f(relativeL1(signals[i]!, signals[i - 1]!, false));
      const c = acc >= 0.15;
      if (c) acc = 0;
      expected.push(c);
      expect(ds[i]!.accumulated).toBeCloseTo(acc, 12);
    }
    expect(ds.map((d) => d.compute)).toEqual(expected);
    expect(expected.slice(1).some((c) => c)).toBe(true);
    expect(expected.slice(1).some((c) => !c)).toBe(true);
  });
  it('golden: a scripted 10-call section gives the hand-computed decisions and accumulators', () => {
    // Levels of a constant signal; rel = |Δ|/|prev|. Hand values (float64, FRAMEPACK.md §7):
    // f(0) = 0.0961237896, f(0.1) = 0.1291958242, f(1/30) = 0.0522729096, f(4/11) = 1.4203035357.
    const levels = [1, 1, 1.1, 1.1, 1.1, 1.5, 1.5, 1.45, 1.45, 1.45];
    const tc = new TeaCache({ enabled: true, numSteps: 10, bf16Signal: false });
    const ds = levels.map((v) => tc.decide(ones(32, v)));
    expect(ds.map((d) => d.compute)).toEqual([true, false, true, false, true, true, false, false, true, true]);
    // Skipped calls carry the accumulator; computed ones reset it to 0.
    const acc = [0, 0.0961237896, 0, 0.0961237896, 0, 0, 0.0961237896, 0.1483966992, 0, 0];
    ds.forEach((d, i) => expect(d.accumulated, `call ${i}`).toBeCloseTo(acc[i]!, 6));
    // Call 7 stays just under the 0.15 threshold; call 8 crosses it with f(0) alone.
    expect(ds[7]!.relL1).toBeCloseTo(0.05 / 1.5, 6);
    expect(ds.map((d) => d.relL1 === null)).toEqual([true, false, false, false, false, false, false, false, false, true]);
    expect(tc.stats).toEqual({ computed: 6, skipped: 4 });
  });
  it('wraps the counter every numSteps calls (cfg > 1 shares one counter) and reset() restarts', () => {
    const tc = new TeaCache({ enabled: true, numSteps: 3 });
    const counters = Array.from({ length: 7 }, () => tc.decide(ones(4)).counter);
    expect(counters).toEqual([0, 1, 2, 0, 1, 2, 0]);
    tc.reset();
    expect(tc.decide(ones(4))).toMatchObject({ compute: true, counter: 0 });
  });
  it('keeps residuals as data: skip adds hidden_out − hidden_in of the last computed call', () => {
    const tc = new TeaCache({ enabled: true, numSteps: 10 });
    expect(() => tc.applyCachedResidual(ones(3))).toThrow();
    tc.storeResidual(Float32Array.of(1, 2, 3), Float32Array.of(1.5, 1, 3.25));
    expect(Array.from(tc.applyCachedResidual(Float32Array.of(10, 20, 30)))).toEqual([10.5, 19, 30.25]);
  });
  it('disabled: always computes, tracks nothing', () => {
    const tc = new TeaCache({ enabled: false, numSteps: 25 });
    expect(Array.from({ length: 5 }, () => tc.shouldCompute(ones(4))).every(Boolean)).toBe(true);
    expect(tc.stats).toEqual({ computed: 5, skipped: 0 });
  });
  it('copies the signal so the caller may reuse its buffer', () => {
    const tc = new TeaCache({ enabled: true, numSteps: 25, bf16Signal: false });
    const buf = ones(4);
    tc.decide(buf);
    buf.fill(2); // mutate after the call
    expect(tc.decide(buf).relL1).toBeCloseTo(1, 12);
  });
});
