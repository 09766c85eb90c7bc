// FlowMatchUniPC (FramePack's diffusers_helper/k_diffusion/uni_pc_fm.py; FRAMEPACK.md §6.4): UniPC
// in data-prediction form on λ = −ln σ, variant bh1 (B_h = −h, the default) or bh2
// (B_h = e^{−h} − 1), order min(3, len(σ) − 2) with warm-up orders 1, 2 at steps 1, 2. One model
// evaluation per step: the predictor's output is evaluated, the corrector reuses it. Returns the last
// model output (the x0 prediction at σ_{n−1}); the final σ = 0 is never evaluated.
//
// Deviation: the official code computes the scalar coefficients (h, r_k, R, b, ρ) in float32 torch
// tensors; we use doubles. Element-wise updates are stored as float32 as in the official code.
import { checkSigmas, throwIfAborted, type SampleOptions, type Sampler } from './sampler.js';

export type UniPCVariant = 'bh1' | 'bh2';

/** The coefficients of one UniPC update from s = σ_prev to t = σ (exported for tests). */
export interface UniPCCoefficients {
  /** σ_t / σ_s. */
  ratio: number;
  /** φ₁ = e^{−h} − 1 = σ_t/σ_s − 1. */
  phi1: number;
  /** B_h. */
  bh: number;
  /** r_j for the earlier outputs (j = 1 … k−1), without the trailing 1. */
  r: number[];
  /** Predictor weights over D_1 … D_{k−1} (empty for k = 1). */
  rhoP: number[];
  /** Corrector weights: over D_1 … D_{k−1}, then the weight of (m_t − m_s) last. */
  rhoC: number[];
}

/** Solves the small dense system A·x = b by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row.slice(0, n), b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (m[pivot]![col] === 0) throw new RangeError('solveLinear: singular matrix');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * Coefficients for an order-k update from the newest stored time `prevSigmas.at(-1)` to `sigma`,
 * using the k−1 stored times before it (newest first as in the official loop).
 */
export function unipcCoefficients(prevSigmas: readonly number[], sigma: number, order: number, variant: UniPCVariant): UniPCCoefficients {
  if (order < 1 || order > prevSigmas.length) throw new RangeError(`unipc: order ${order} needs ${order} stored outputs`);
  const s = prevSigmas[prevSigmas.length - 1]!;
  const lambdaS = -Math.log(s);
  const h = -Math.log(sigma) - lambdaS;
  const r: number[] = [];
  for (let j = 1; j < order; j++) r.push((-Math.log(prevSigmas[prevSigmas.length - 1 - j]!) - lambdaS) / h);
  const rks = [...r, 1];
  const hh = -h;
  const phi1 = Math.expm1(hh);
  const bh = variant === 'bh1' ? hh : Math.expm1(hh);
  const R: number[][] = [];
  const b: number[] = [];
  let hPhiK = phi1 / hh - 1;
  let factorial = 1;
  for (let i = 1; i <= order; i++) {
    R.push(rks.map((rk) => rk ** (i - 1)));
    b.push((hPhiK * factorial) / bh);
    factorial *= i + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }
  let rhoP: number[] = [];
  if (order === 2) rhoP = [0.5];
  else if (order > 2) rhoP = solveLinear(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1));
  const rhoC = order === 1 ? [0.5] : solveLinear(R, b);
  return { ratio: sigma / s, phi1, bh, r, rhoP, rhoC };
}

export class UniPCSampler implements Sampler {
  readonly name: string;
  constructor(readonly variant: UniPCVariant = 'bh1') {
    this.name = `unipc-${variant}`;
  }

  async sample({ x, sigmas, model, onStep, signal }: SampleOptions): Promise<Float32Array> {
    checkSigmas(sigmas);
    const steps = sigmas.length - 1;
    // order = min(3, len(σ) − 2); Python's list[-0:] keeps everything, so 0 means "no trimming".
    const order = Math.min(3, sigmas.length - 2);
    const keep = (list: unknown[]) => { if (order > 0 && list.length > order) list.splice(0, list.length - order); };
    let cur: Float32Array = Float32Array.from(x);
    const outputs: Float32Array[] = [];
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = sigmas[i]!;
      throwIfAborted(signal);
      if (i === 0) {
        outputs.push(await model(cur, t, 0));
      } else {
        const k = i < order ? i : order;
        const res = await this.update(cur, outputs, times, t, k, model, i, signal);
        cur = res.x;
        outputs.push(res.m);
      }
      times.push(t);
      keep(outputs);
      keep(times);
      await onStep?.({ i, steps, sigma: t, x: cur, denoised: outputs[outputs.length - 1]! });
    }
    return outputs[outputs.length - 1]!;
  }

  private async update(
    x: Float32Array, outputs: Float32Array[], times: number[], t: number, order: number,
    model: SampleOptions['model'], stepIndex: number, signal: AbortSignal | undefined,
  ): Promise<{ x: Float32Array; m: Float32Array }> {
    const c = unipcCoefficients(times, t, order, this.variant);
    const n = x.length;
    const m0 = outputs[outputs.length - 1]!;
    // D_j = (m_{s_j} − m_s) / r_j, newest earlier output first.
    const d: Float32Array[] = c.r.map((rj, j) => {
      const mj = outputs[outputs.length - 2 - j]!;
      const out = new Float32Array(n);
      for (let e = 0; e < n; e++) out[e] = (mj[e]! - m0[e]!) / rj;
      return out;
    });
    // Base step x̃ = (σ_t/σ_s)·x − φ₁·m_s, then the predictor.
    const base = new Float32Array(n);
    for (let e = 0; e < n; e++) base[e] = Math.fround(c.ratio * x[e]!) - Math.fround(c.phi1 * m0[e]!);
    const pred = new Float32Array(base);
    if (c.rhoP.length > 0) {
      for (let e = 0; e < n; e++) {
        let acc = 0;
        for (let j = 0; j < d.length; j++) acc += d[j]![e]! * c.rhoP[j]!;
        pred[e] = base[e]! - c.bh * acc;
      }
    }
    throwIfAborted(signal);
    const mt = await model(pred, t, stepIndex);
    const rhoLast = c.rhoC[c.rhoC.length - 1]!;
    const next = new Float32Array(n);
    for (let e = 0; e < n; e++) {
      let acc = 0;
      for (let j = 0; j < d.length; j++) acc += d[j]![e]! * c.rhoC[j]!;
      next[e] = base[e]! - c.bh * (acc + rhoLast * (mt[e]! - m0[e]!));
    }
    return { x: next, m: mt };
  }
}
