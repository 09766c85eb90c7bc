// fm_wrapper (FramePack's diffusers_helper/k_diffusion/wrapper.py; FRAMEPACK.md §6.3): turns the
// transformer's flow-matching velocity into the x0 prediction the samplers use, with distilled
// guidance (a model input), real CFG against the negative prompt, and guidance rescale.
import { distilledGuidanceValue, timestepForSigma } from '../sigmas.js';
import type { Denoiser } from './sampler.js';

/** What one transformer call is asked for, besides the latent. */
export interface VelocityCall {
  /** bf16(σ·1000): the timestep input. */
  timestep: number;
  /** bf16(gs·1000): the distilled-guidance input (same for both branches). */
  guidance: number;
  /** Which conditioning: the prompt, or the negative prompt for real CFG. */
  branch: 'positive' | 'negative';
  /** Sampler step index, for progress and caches. */
  stepIndex: number;
}

/** The transformer: returns the velocity (≈ ε − x0) for latent `x` (bf16-valued) at `sigma`. */
export type VelocityModel = (x: Float32Array, sigma: number, call: VelocityCall) => Promise<Float32Array>;

export interface GuidanceOptions {
  /** Distilled guidance scale gs (official default 10). */
  distilledGuidance: number;
  /** Real CFG scale; 1 (the default) skips the negative pass. */
  cfg: number;
  /** Guidance rescale rs in [0, 1]; 0 skips it. */
  rescale: number;
  /** Round x to bf16 before the model, as the official code does (default true). */
  roundInputToBf16?: boolean;
  /** Which x the x0 formula subtracts from: the bf16-rounded input (official) or the fp32 latent. */
  x0From?: 'model-input' | 'fp32';
}

/** Rounds every element to the nearest bfloat16 value (ties to even), like `.to(torch.bfloat16)`. */
export function roundArrayToBf16(src: Float32Array): Float32Array {
  const out = new Float32Array(src.length);
  const inBits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const x = inBits[i]!;
    if ((x & 0x7f800000) === 0x7f800000) { outBits[i] = (x & 0x7fffff) ? 0x7fc00000 : x; continue; }
    outBits[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) << 16;
  }
  return out;
}

/** torch's default (unbiased) standard deviation over all elements, accumulated in double. */
export function stdUnbiased(v: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i]!;
  mean /= v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) { const d = v[i]! - mean; ss += d * d; }
  return Math.sqrt(ss / (v.length - 1));
}

/**
 * rescale_noise_cfg: v = rs·(v_cfg·std(v_pos)/std(v_cfg)) + (1 − rs)·v_cfg (in place on vCfg).
 * torch computes std_text/std_cfg as a float32 ratio.
 */
export function rescaleGuidance(vCfg: Float32Array, vPos: Float32Array, rs: number): Float32Array {
  if (rs === 0) return vCfg;
  const ratio = Math.fround(Math.fround(stdUnbiased(vPos)) / Math.fround(stdUnbiased(vCfg)));
  for (let i = 0; i < vCfg.length; i++) {
    vCfg[i] = Math.fround(rs * Math.fround(vCfg[i]! * ratio)) + Math.fround((1 - rs) * vCfg[i]!);
  }
  return vCfg;
}

/** Wraps a velocity model into the samplers' x0 denoiser, applying CFG and rescale. */
export function makeDenoiser(model: VelocityModel, opts: GuidanceOptions): Denoiser {
  const guidance = distilledGuidanceValue(opts.distilledGuidance);
  const roundInput = opts.roundInputToBf16 ?? true;
  const x0From = opts.x0From ?? 'model-input';
  const { cfg, rescale } = opts;
  return async (x, sigmaIn, stepIndex) => {
    const sigma = Math.fround(sigmaIn);
    const input = roundInput ? roundArrayToBf16(x) : x;
    const timestep = timestepForSigma(sigma);
    const vPos = await model(input, sigma, { timestep, guidance, branch: 'positive', stepIndex });
    let v: Float32Array;
    if (cfg === 1) {
      // pred_negative = 0, so pred_cfg = 0 + 1·(v_pos − 0) = v_pos exactly.
      v = Float32Array.from(vPos);
    } else {
      const vNeg = await model(input, sigma, { timestep, guidance, branch: 'negative', stepIndex });
      v = new Float32Array(vPos.length);
      for (let i = 0; i < v.length; i++) v[i] = vNeg[i]! + Math.fround(cfg * Math.fround(vPos[i]! - vNeg[i]!));
    }
    rescaleGuidance(v, vPos, rescale);
    const base = x0From === 'model-input' ? input : x;
    const x0 = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) x0[i] = base[i]! - Math.fround(v[i]! * sigma);
    return x0;
  };
}
