// A data distribution whose flow-matching ODE is solvable in closed form, for testing samplers:
// every element is independent Gaussian data x0 ~ N(μ, s²). With x_σ = (1−σ)·x0 + σ·ε the exact
// denoiser is E[x0 | x_σ] = μ + (1−σ)s²/S²·(x_σ − (1−σ)μ), S² = (1−σ)²s² + σ², and the
// probability-flow ODE started from x(1) = z is x(σ) = (1−σ)μ + S(σ)·z.
import type { Denoiser } from './sampler.js';

export interface GaussianData {
  mean: Float32Array;
  std: Float32Array;
}

/** E[x0 | x_σ] in double precision, stored as float32. */
export function gaussianDenoise(data: GaussianData, x: Float32Array, sigma: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const mu = data.mean[i]!;
    const s2 = data.std[i]! ** 2;
    const a = 1 - sigma;
    out[i] = mu + ((a * s2) / (a * a * s2 + sigma * sigma)) * (x[i]! - a * mu);
  }
  return out;
}

/** The exact ODE solution at σ starting from noise z at σ = 1. */
export function gaussianExact(data: GaussianData, z: Float32Array, sigma: number): Float64Array {
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const a = 1 - sigma;
    out[i] = a * data.mean[i]! + Math.sqrt(a * a * data.std[i]! ** 2 + sigma * sigma) * z[i]!;
  }
  return out;
}

export function gaussianDenoiser(data: GaussianData): Denoiser {
  return async (x, sigma) => gaussianDenoise(data, x, sigma);
}
