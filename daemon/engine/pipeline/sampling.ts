// The sampler and σ schedule a job uses (FRAMEPACK.md §6.2, §6.4, §10.1): UniPC bh1 (official) or
// bh2 on the official schedule, or the diffusers port's Euler on its own schedule (same μ), whose
// x0 is taken from the fp32 latent so the Euler update is diffusers' velocity step.
import { diffusersEulerSigmas, sigmaSchedule } from '../sigmas.js';
import { EulerSampler } from '../samplers/euler.js';
import { UniPCSampler } from '../samplers/unipc.js';
import type { Sampler } from '../samplers/sampler.js';
import type { SamplerName } from './job-spec.js';

export interface SamplerSchedule {
  /** σ₀ … σ_steps (float32), ending in 0. */
  sigmas: Float32Array;
  mu: number;
  /** e^μ: 7 for every ws = 9 bucket unless --shift is given. */
  shift: number;
  /** Noisy-token count μ was derived from. */
  seqLen: number;
}

export function samplerSchedule(opts: { sampler: SamplerName; steps: number; windowSize: number; latentHeight: number; latentWidth: number; shift: number | null }): SamplerSchedule {
  const base = sigmaSchedule({
    steps: opts.steps, latentFrames: opts.windowSize, latentHeight: opts.latentHeight, latentWidth: opts.latentWidth,
    ...(opts.shift !== null ? { shift: opts.shift } : {}),
  });
  const sigmas = opts.sampler === 'euler' ? diffusersEulerSigmas(opts.steps, base.mu) : base.sigmas;
  return { sigmas, mu: base.mu, shift: base.shift, seqLen: base.seqLen };
}

export function makeSampler(name: SamplerName): Sampler {
  switch (name) {
    case 'unipc': return new UniPCSampler('bh1');
    case 'unipc-bh2': return new UniPCSampler('bh2');
    case 'euler': return new EulerSampler();
  }
}

/** Which latent the x0 formula subtracts from (guidance.ts): the official bf16 input, or fp32 for Euler. */
export function x0FromFor(name: SamplerName): 'model-input' | 'fp32' {
  return name === 'euler' ? 'fp32' : 'model-input';
}
