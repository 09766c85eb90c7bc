import { describe, expect, it } from 'vitest';
import { EulerSampler } from './euler.js';

describe('EulerSampler', () => {
  it('steps x ← x + (σ_{i+1} − σ_i)·(x − x0)/σ_i and ends on the last x0 at σ = 0', async () => {
    const x0s = [Float32Array.of(1), Float32Array.of(2), Float32Array.of(3)];
    const xs: number[] = [];
    let call = 0;
    const out = await new EulerSampler().sample({
      x: Float32Array.of(4), sigmas: [1, 0.5, 0.25, 0],
      model: async () => x0s[call++]!, onStep: (s) => { xs.push(s.x[0]!); },
    });
    // x1 = 4 − 0.5·(4 − 1)/1 = 2.5; x2 = 2.5 − 0.25·(2.5 − 2)/0.5 = 2.25; x3 = x0 = 3.
    expect(xs).toEqual([4, 2.5, 2.25]);
    expect(Array.from(out)).toEqual([3]);
    expect(call).toBe(3);
  });
  it('is exact for a constant velocity', async () => {
    // v = ε − x0 constant: x0(x, σ) = x − σ·v; x(σ) = x(1) − (1 − σ)·v.
    const v = 0.75;
    const out = await new EulerSampler().sample({ x: Float32Array.of(1.5), sigmas: [1, 0.7, 0.2, 0], model: async (x, s) => Float32Array.of(x[0]! - s * v) });
    expect(out[0]).toBeCloseTo(1.5 - v, 6);
  });
});
