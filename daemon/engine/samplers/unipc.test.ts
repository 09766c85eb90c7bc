import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../weights/seeded.js';
import { sigmaSchedule } from '../sigmas.js';
import { gaussianDenoise, gaussianDenoiser, gaussianExact, type GaussianData } from './analytic-model.js';
import { EulerSampler } from './euler.js';
import type { Denoiser, Sampler } from './sampler.js';
import { solveLinear, UniPCSampler, unipcCoefficients } from './unipc.js';

const N = 512;
const rng = new SeededRandom(7);
const data: GaussianData = { mean: rng.normalArray(N, 0.5), std: Float32Array.from({ length: N }, () => 0.2 + 0.8 * rng.uniform()) };
const z = rng.normalArray(N);

/** Max abs error of the sampler's result against the exact x0 prediction on the exact ODE path. */
async function errorOf(sampler: Sampler, sigmas: Float32Array): Promise<number> {
  const out = await sampler.sample({ x: z, sigmas, model: gaussianDenoiser(data) });
  const last = sigmas[sigmas.length - 2]!;
  const exact = gaussianDenoise(data, Float32Array.from(gaussianExact(data, z, last)), last);
  let err = 0;
  for (let i = 0; i < N; i++) err = Math.max(err, Math.abs(out[i]! - exact[i]!));
  return err;
}

const schedule = (steps: number, shift?: number) => sigmaSchedule({ steps, latentFrames: 9, latentHeight: 76, latentWidth: 80, shift }).sigmas;

describe('UniPC on a Gaussian flow whose ODE solution is known', () => {
  // Geometric σ from 1 to 0.05, then 0: every step shrinks in λ = −ln σ as steps grow, so the
  // observed order is the method's (the official shift-7 schedule keeps a large last λ step).
  const geometric = (steps: number) => Float32Array.from([...Array.from({ length: steps }, (_, i) => 0.05 ** (i / (steps - 1))), 0]);

  it('converges with order ≈ 3 (bh1, bh2) against order 1 (Euler)', async () => {
    const err = async (s: Sampler, steps: number) => errorOf(s, geometric(steps));
    const [b40, b80] = [await err(new UniPCSampler('bh1'), 40), await err(new UniPCSampler('bh1'), 80)];
    const [c40, c80] = [await err(new UniPCSampler('bh2'), 40), await err(new UniPCSampler('bh2'), 80)];
    const [e40, e80] = [await err(new EulerSampler(), 40), await err(new EulerSampler(), 80)];
    expect(b40 / b80).toBeGreaterThan(6);
    expect(c40 / c80).toBeGreaterThan(6);
    expect(e40 / e80).toBeGreaterThan(1.8);
    expect(e40 / e80).toBeLessThan(2.2);
    expect(b80).toBeLessThan(1e-4);
  });

  it('bh1 and bh2 beat Euler at the same number of steps, also on the official schedule', async () => {
    for (const steps of [10, 20, 40]) {
      const euler = await errorOf(new EulerSampler(), geometric(steps));
      expect(await errorOf(new UniPCSampler('bh1'), geometric(steps))).toBeLessThan(euler / 10);
      expect(await errorOf(new UniPCSampler('bh2'), geometric(steps))).toBeLessThan(euler / 10);
    }
    for (const steps of [5, 10, 25]) {
      const sig = schedule(steps);
      const euler = await errorOf(new EulerSampler(), sig);
      expect(await errorOf(new UniPCSampler('bh1'), sig), `steps ${steps}`).toBeLessThan(euler / 4);
      expect(await errorOf(new UniPCSampler('bh2'), sig), `steps ${steps}`).toBeLessThan(euler / 4);
    }
  });

  it('makes one model call per step, reports every step and returns the last x0', async () => {
    const sigmas = schedule(25);
    const seen: number[] = [];
    let calls = 0;
    let lastDenoised: Float32Array | undefined;
    const model: Denoiser = async (x, s) => { calls++; return gaussianDenoise(data, x, s); };
    const out = await new UniPCSampler().sample({ x: z, sigmas, model, onStep: (s) => { seen.push(s.i); lastDenoised = s.denoised; expect(s.sigma).toBe(sigmas[s.i]); } });
    expect(calls).toBe(25);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(out).toBe(lastDenoised);
  });

  it('does not modify the input and stops on abort', async () => {
    const x = Float32Array.from(z);
    const ctrl = new AbortController();
    const p = new UniPCSampler().sample({ x, sigmas: schedule(10), model: gaussianDenoiser(data), signal: ctrl.signal, onStep: (s) => { if (s.i === 3) ctrl.abort(new Error('stop')); } });
    await expect(p).rejects.toThrow('stop');
    expect(x).toEqual(z);
  });
});

describe('unipcCoefficients', () => {
  it('order 1: no predictor, corrector ½, B_h = −h (bh1) or e^{−h} − 1 (bh2)', () => {
    const c1 = unipcCoefficients([0.8], 0.5, 1, 'bh1');
    expect(c1.rhoP).toEqual([]);
    expect(c1.rhoC).toEqual([0.5]);
    expect(c1.bh).toBeCloseTo(Math.log(0.5 / 0.8), 15);
    expect(c1.phi1).toBeCloseTo(0.5 / 0.8 - 1, 15);
    expect(unipcCoefficients([0.8], 0.5, 1, 'bh2').bh).toBeCloseTo(0.5 / 0.8 - 1, 15);
  });
  it('order 2: predictor ½, r₁ = (λ_{s1} − λ_s)/h < 0, corrector solves R·ρ = b', () => {
    const c = unipcCoefficients([0.9, 0.8], 0.5, 2, 'bh1');
    expect(c.rhoP).toEqual([0.5]);
    const h = Math.log(0.8 / 0.5);
    expect(c.r[0]).toBeCloseTo((Math.log(0.8) - Math.log(0.9)) / h, 14);
    expect(c.r[0]!).toBeLessThan(0);
    // Rebuild b by the recurrence and check R·ρ_c = b.
    const hh = -h;
    const g1 = Math.expm1(hh) / hh - 1;
    const g2 = g1 / hh - 0.5;
    const b = [g1 / hh, (g2 * 2) / hh];
    expect(c.rhoC[0]! + c.rhoC[1]!).toBeCloseTo(b[0]!, 12);
    expect(c.rhoC[0]! * c.r[0]! + c.rhoC[1]!).toBeCloseTo(b[1]!, 12);
  });
  it('order 3 uses the last three times, newest first', () => {
    const c = unipcCoefficients([0.95, 0.9, 0.8], 0.5, 3, 'bh1');
    expect(c.r.length).toBe(2);
    expect(c.rhoP.length).toBe(2);
    expect(c.rhoC.length).toBe(3);
    const h = Math.log(0.8 / 0.5);
    expect(c.r[1]).toBeCloseTo((Math.log(0.8) - Math.log(0.95)) / h, 14);
  });
  it('solveLinear', () => {
    const x = solveLinear([[0, 2, 1], [1, 1, 1], [2, 1, 3]], [7, 6, 13]);
    expect(x.map((v) => +v.toFixed(12))).toEqual([1, 2, 3]);
  });
  it('short schedules: 1 step returns the first x0, 2 steps use order 1', async () => {
    let calls = 0;
    const model: Denoiser = async (x, s) => { calls++; return gaussianDenoise(data, x, s); };
    const one = await new UniPCSampler().sample({ x: z, sigmas: [1, 0], model });
    expect(calls).toBe(1);
    expect(one).toEqual(gaussianDenoise(data, z, 1));
    calls = 0;
    await new UniPCSampler().sample({ x: z, sigmas: [1, 0.5, 0], model });
    expect(calls).toBe(2);
    await expect(new UniPCSampler().sample({ x: z, sigmas: [1, 1, 0], model })).rejects.toThrow(/decrease/);
  });
  it('one manual step: order 1 at i = 1', async () => {
    const sig = [1, 0.6, 0];
    const m0 = Float32Array.of(0.25);
    const m1 = Float32Array.of(0.75);
    let call = 0;
    const out: number[] = [];
    await new UniPCSampler('bh1').sample({ x: Float32Array.of(2), sigmas: sig, model: async () => (call++ === 0 ? m0 : m1), onStep: (s) => { out.push(s.x[0]!); } });
    const base = 0.6 * 2 + (1 - 0.6) * 0.25;
    expect(out[1]).toBeCloseTo(base - Math.log(0.6) * 0.5 * (0.75 - 0.25), 6);
  });
});
