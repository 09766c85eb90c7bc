// The common sampler interface. Every sampler works on one flat float32 latent (the 1×16×T×h×w
// tensor of a section) and calls a data-prediction model: `model(x, σ)` returns x0, the denoised
// latent (guidance.ts turns the transformer's velocity into that).

/** Returns the x0 (data) prediction for latent `x` at noise level `sigma`. */
export type Denoiser = (x: Float32Array, sigma: number, stepIndex: number) => Promise<Float32Array>;

/** Reported after every sampling step. */
export interface StepInfo {
  /** Step index, 0 … steps−1. */
  i: number;
  /** Total steps (model evaluations) of this run. */
  steps: number;
  /** σ at which `denoised` was predicted. */
  sigma: number;
  /** The sampler's current latent (UniPC: after the step's correction). */
  x: Float32Array;
  /** The newest x0 prediction (what the official preview decodes). */
  denoised: Float32Array;
}

export interface SampleOptions {
  /** Initial noise at σ₀ = 1; never modified. */
  x: Float32Array;
  /** Decreasing noise levels σ₀ … σ_n, normally ending in 0 (sigmas.ts). */
  sigmas: ArrayLike<number>;
  model: Denoiser;
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Checked before every model evaluation; aborting rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface Sampler {
  readonly name: string;
  /** Runs the schedule and returns the final x0 estimate. */
  sample(opts: SampleOptions): Promise<Float32Array>;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('sampling aborted', 'AbortError');
}

export function checkSigmas(sigmas: ArrayLike<number>): void {
  if (sigmas.length < 2) throw new RangeError('sampler: need at least two sigmas');
  for (let i = 1; i < sigmas.length; i++) {
    if (!(sigmas[i]! < sigmas[i - 1]!)) throw new RangeError(`sampler: sigmas must decrease (index ${i})`);
  }
  if (!(sigmas[0]! > 0)) throw new RangeError('sampler: σ₀ must be positive');
}
