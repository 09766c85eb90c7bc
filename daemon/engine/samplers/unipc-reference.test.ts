// UniPC (bh1, bh2) against a float64 reference written here from FRAMEPACK.md §6.4 and the UniPC
// paper (Zhao et al. 2023, Alg. "UniPC-p" with the B(h) variants), independent of unipc.ts: its own
// coefficient recursion (φ_k via h·φ_{k+1} = φ_k − 1/k!, written with e^{−h}), its own 3×3 solve
// (Cramer's rule) and float64 state throughout. The sampler under test stores float32, so the
// tolerance is a few float32 ulps of the latent scale (measured: ≤ 1.1e-6 over 25 steps); at few
// steps the bh1/bh2 gap shows the comparison bites.
import { describe, expect, it } from 'vitest';
import { sigmaSchedule } from '../sigmas.js';
import { UniPCSampler } from './unipc.js';

type Vec = Float64Array;

/** A smooth nonlinear data predictor whose target moves with σ: x0 = 0.5·sin(2x)·σ + c·cos(3σ). */
function referenceModel(c: Vec) {
  return (x: ArrayLike<number>, sigma: number): Vec => {
    const out = new Float64Array(x.length);
    for (let e = 0; e < x.length; e++) out[e] = 0.5 * Math.sin(2 * x[e]!) * sigma + c[e]! * Math.cos(3 * sigma);
    return out;
  };
}

function det3(m: number[][]): number {
  const [a, b, c] = m as [number[], number[], number[]];
  return a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
}

/** Cramer's rule for n ≤ 3 (padding smaller systems to 3×3 with the identity). */
function cramer(a: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const pad = (m: number[][]) => Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => (i < n && j < n ? m[i]![j]! : i === j ? 1 : 0)));
  const full = pad(a);
  const d = det3(full);
  return Array.from({ length: n }, (_, col) => {
    const m = full.map((row, i) => row.map((v, j) => (j === col ? (i < n ? rhs[i]! : 0) : v)));
    return det3(m) / d;
  });
}

/** The whole UniPC loop in float64; returns the last model output and x after every step. */
function unipcReference(x0: Vec, sigmas: readonly number[], model: (x: Vec, s: number) => Vec, variant: 'bh1' | 'bh2') {
  const maxOrder = Math.min(3, sigmas.length - 2);
  const ms: Vec[] = [];
  const ts: number[] = [];
  let x = Float64Array.from(x0);
  const xs: Vec[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const t = sigmas[i]!;
    if (i === 0) {
      ms.push(model(x, t));
    } else {
      const k = Math.min(i, maxOrder);
      const s = ts[ts.length - 1]!;
      const ms0 = ms[ms.length - 1]!;
      const h = Math.log(s) - Math.log(t); // λ_t − λ_s with λ = −ln σ
      // r_j and D_j for the k−1 earlier outputs, newest first.
      const r: number[] = [];
      const D: Vec[] = [];
      for (let j = 1; j < k; j++) {
        const sj = ts[ts.length - 1 - j]!;
        const rj = (Math.log(s) - Math.log(sj)) / h;
        r.push(rj);
        const mj = ms[ms.length - 1 - j]!;
        D.push(mj.map((v, e) => (v - ms0[e]!) / rj));
      }
      r.push(1);
      // φ_1(−h)·… in the paper's notation: g_1 = (e^{−h} − 1)/(−h) − 1, g_{n+1} = g_n/(−h) − 1/(n+1)!.
      const bh = variant === 'bh1' ? -h : Math.exp(-h) - 1;
      const R: number[][] = [];
      const b: number[] = [];
      let g = (Math.exp(-h) - 1) / -h - 1;
      let fact = 1;
      for (let n = 1; n <= k; n++) {
        R.push(r.map((rv) => Math.pow(rv, n - 1)));
        b.push((g * fact) / bh);
        fact *= n + 1;
        g = g / -h - 1 / fact;
      }
      const rhoP = k === 1 ? [] : k === 2 ? [0.5] : cramer(R.slice(0, k - 1).map((row) => row.slice(0, k - 1)), b.slice(0, k - 1));
      const rhoC = k === 1 ? [0.5] : cramer(R, b);
      const base = x.map((v, e) => (t / s) * v + (1 - t / s) * ms0[e]!);
      const pred = base.map((v, e) => v - bh * D.reduce((acc, dj, j) => acc + rhoP[j]! * dj[e]!, 0));
      const mt = model(pred, t);
      x = base.map((v, e) => v - bh * (D.reduce((acc, dj, j) => acc + rhoC[j]! * dj[e]!, 0) + rhoC[k - 1]! * (mt[e]! - ms0[e]!)));
      ms.push(mt);
    }
    ts.push(t);
    // Python keeps list[-order:]; with order 0 that slice is the whole list.
    if (maxOrder > 0 && ms.length > maxOrder) { ms.shift(); ts.shift(); }
    xs.push(Float64Array.from(x));
  }
  return { result: ms[ms.length - 1]!, xs };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** A deterministic start "noise" of n values in about [−2.5, 2.5] and a conditioning vector. */
function inputs(n: number) {
  const x = new Float64Array(n), c = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = 2.5 * Math.sin(1.7 * i + 0.3); c[i] = Math.cos(0.9 * i); }
  return { x: Float32Array.from(x), c };
}

async function runSampler(variant: 'bh1' | 'bh2', sigmas: Float32Array, x: Float32Array, c: Vec) {
  const model = referenceModel(c);
  const xs: Float32Array[] = [];
  const out = await new UniPCSampler(variant).sample({
    x, sigmas, model: async (xi, s) => Float32Array.from(model(xi, s)), onStep: ({ x: xi }) => { xs.push(Float32Array.from(xi)); },
  });
  return { out, xs };
}

describe('UniPC against a float64 reference implemented in this test', () => {
  const { x, c } = inputs(256);
  const official = sigmaSchedule({ steps: 25, latentFrames: 9, latentHeight: 80, latentWidth: 76 }).sigmas;

  it.each(['bh1', 'bh2'] as const)('%s, the official 25-step schedule: every step and the result within 1e-5', async (variant) => {
    const ref = unipcReference(Float64Array.from(x), Array.from(official), referenceModel(c), variant);
    const got = await runSampler(variant, official, x, c);
    expect(got.xs).toHaveLength(25);
    const errors = got.xs.map((xi, i) => maxAbsDiff(xi, ref.xs[i]!));
    expect(Math.max(...errors)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.out, ref.result)).toBeLessThan(1e-5);
  });

  it.each([1, 2, 3, 4, 7])('bh1 and bh2 with %i steps (warm-up orders, order = min(3, len − 2)); the variants differ', async (steps) => {
    const sigmas = sigmaSchedule({ steps, latentFrames: 9, latentHeight: 80, latentWidth: 76 }).sigmas;
    const results: Record<string, { got: Float32Array; ref: Vec }> = {};
    for (const variant of ['bh1', 'bh2'] as const) {
      const ref = unipcReference(Float64Array.from(x), Array.from(sigmas), referenceModel(c), variant);
      const got = await runSampler(variant, sigmas, x, c);
      expect(maxAbsDiff(got.out, ref.result), variant).toBeLessThan(1e-5);
      results[variant] = { got: got.out, ref: ref.result };
    }
    // At 3–4 steps (h is large and an order ≥ 2 step exists) bh1 and bh2 lie ≥ 20× the tolerance
    // apart, so the comparison would catch a wrong B(h); at 25 steps they differ by only ~1e-6.
    if (steps === 3 || steps === 4) expect(maxAbsDiff(results.bh1!.got, results.bh2!.ref)).toBeGreaterThan(2e-4);
  });
});
