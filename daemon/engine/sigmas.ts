// The flow-matching sigma schedule of `sample_hunyuan` (FRAMEPACK.md §6.2): t = linspace(1, 0,
// steps+1) in float32, shifted by σ = e^μ / (e^μ + (1/t − 1)), with μ from the noisy-token count
// (capped at ln 7) or μ = ln(shift) when a shift is given. The float32 arithmetic mirrors torch's
// CPU kernels operation by operation, so the schedule matches the official one bit for bit (checked
// against torch 1.13 on an AVX2 CPU; see sigmas.test.ts and scripts/reference/unipc_ref.py).
import { roundToBf16 } from '../weights/float-convert.js';

const f32 = Math.fround;

/** calculate_flux_mu's line through (256, 0.5) and (4096, 1.15), capped at ln(expMax). */
export const FLUX_MU = Object.freeze({ baseSeqLen: 256, baseMu: 0.5, maxSeqLen: 4096, maxMu: 1.15, expMax: 7.0 });

/** `seq_length = T·h·w // 4`: the noisy-token count (not the packed sequence length). */
export function noisySeqLen(latentFrames: number, latentHeight: number, latentWidth: number): number {
  return Math.floor((latentFrames * latentHeight * latentWidth) / 4);
}

/** μ = k·seqLen + b with k = (1.15 − 0.5)/(4096 − 256), b = 0.5 − 256k, then min(μ, ln expMax). */
export function fluxMu(seqLen: number, expMax: number = FLUX_MU.expMax): number {
  const k = (FLUX_MU.maxMu - FLUX_MU.baseMu) / (FLUX_MU.maxSeqLen - FLUX_MU.baseSeqLen);
  const b = FLUX_MU.baseMu - k * FLUX_MU.baseSeqLen;
  return Math.min(k * seqLen + b, Math.log(expMax));
}

/**
 * torch.linspace(start, end, steps) in float32 as torch's CPU kernel computes it: the first half
 * as start + step·i, the second half as end − step·(steps−1−i), with the fused multiply-adds that
 * torch's AVX2 build uses; the first 16-element blocks come from Vectorized::arange (8 lanes,
 * base + k·step rounded twice). `vectorLanes` 0 models a build without that vector path.
 */
export function linspaceF32(start: number, end: number, steps: number, vectorLanes: 0 | 8 = 8): Float32Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`linspaceF32: bad steps ${steps}`);
  const out = new Float32Array(steps);
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) { out[0] = s; return out; }
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // A fused multiply-add rounds once: step·i + start is exact in double for these magnitudes.
  const scalar = (i: number) => (i < halfway ? f32(step * i + s) : f32(e - step * (steps - i - 1)));
  let i = 0;
  if (vectorLanes > 0) {
    for (; i + 2 * vectorLanes <= steps; i += 2 * vectorLanes) {
      for (let v = 0; v < 2; v++) {
        const base = i + v * vectorLanes;
        const b = scalar(base);
        for (let k = 0; k < vectorLanes; k++) out[base + k] = f32(b + f32(k * step));
      }
    }
  }
  for (; i < steps; i++) out[i] = scalar(i);
  return out;
}

/**
 * flux_time_shift on a float32 tensor: torch evaluates `e^μ / (e^μ + (1/t − 1))` as
 * reciprocal(e^μ + (reciprocal(t) − 1)) · e^μ, each op rounded to float32 (t = 0 gives σ = 0).
 */
export function fluxTimeShiftF32(t: Float32Array, mu: number): Float32Array {
  const eMu = f32(Math.exp(mu));
  const out = new Float32Array(t.length);
  for (let i = 0; i < t.length; i++) {
    const r = f32(1 / t[i]!);
    const c = f32(eMu + f32(r - 1));
    out[i] = f32(f32(1 / c) * eMu);
  }
  return out;
}

/** The sampler's schedule for one section and how it was derived. */
export interface SigmaSchedule {
  /** The μ used: from the sequence length, or ln(shift). */
  mu: number;
  /** e^μ: the effective shift (7.0 for every bucket at ws = 9). */
  shift: number;
  /** The noisy-token count μ came from (T·h·w/4). */
  seqLen: number;
  /** steps+1 float32 sigmas from 1 down to 0; the last one is never evaluated. */
  sigmas: Float32Array;
}

export interface SigmaScheduleOptions {
  /** Sampling steps (model evaluations per section); the official default is 25. */
  steps: number;
  /** Latent frames generated per section (ws); 9 by default. */
  latentFrames: number;
  latentHeight: number;
  latentWidth: number;
  /** An explicit shift; the official demos pass none (shift=3.0 is commented out). */
  shift?: number;
}

export function sigmaSchedule(opts: SigmaScheduleOptions): SigmaSchedule {
  if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new RangeError(`sigmaSchedule: bad steps ${opts.steps}`);
  const seqLen = noisySeqLen(opts.latentFrames, opts.latentHeight, opts.latentWidth);
  if (opts.shift !== undefined && !(opts.shift > 0)) throw new RangeError(`sigmaSchedule: bad shift ${opts.shift}`);
  const mu = opts.shift === undefined ? fluxMu(seqLen) : Math.log(opts.shift);
  const sigmas = fluxTimeShiftF32(linspaceF32(1, 0, opts.steps + 1), mu);
  return { mu, shift: Math.exp(mu), seqLen, sigmas };
}

/** The timestep the transformer sees for σ: bf16(float32(σ)·1000), as fm_wrapper computes it. */
export function timestepForSigma(sigma: number): number {
  return roundToBf16(f32(f32(sigma) * 1000));
}

/** The distilled-guidance input for gs: bf16(float32(gs·1000)); gs = 10 gives 9984. */
export function distilledGuidanceValue(gs: number): number {
  return roundToBf16(gs * 1000);
}

/**
 * The diffusers port's Euler schedule (FlowMatchEulerDiscreteScheduler with dynamic shifting;
 * FRAMEPACK.md §10.1): t = float32(numpy linspace(1, 0, steps+1)[:-1]) shifted with the same μ in
 * float32 (numpy divides instead of multiplying by a reciprocal), then a terminal 0 appended.
 */
export function diffusersEulerSigmas(steps: number, mu: number): Float32Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`diffusersEulerSigmas: bad steps ${steps}`);
  const eMu = f32(Math.exp(mu));
  const out = new Float32Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const t = f32(1 - i / steps);
    out[i] = f32(eMu / f32(eMu + f32(f32(1 / t) - 1)));
  }
  return out;
}
