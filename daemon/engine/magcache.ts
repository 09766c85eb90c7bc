// MagCache (Ma et al., "Magnitude-aware cache", arXiv 2506.09045) as FramePack-Studio runs it on
// FramePack (diffusers_helper/models/mag_cache.py; the authors' MagCache4FramePack is the same rule
// with K=3, retention 0.2). Unlike TeaCache it needs no per-call signal: the decision depends only
// on the step index and the bundle's calibrated magnitude ratios — ratio[t] = mean over tokens of
// ‖residual_t‖ / ‖residual_{t−1}‖, where residual = blocks(hidden) − hidden — measured once per
// bundle (`framepack models calibrate`, magcache-calibration.ts). Per call:
//   - the first ⌊retention·steps⌋ calls (and call 0) always compute;
//   - otherwise accRatio *= ratio[t]; accErr += |1 − accRatio|; accSteps += 1, and the call skips
//     (hidden + the last computed residual) while accErr ≤ threshold, accSteps ≤ maxSkips and
//     |1 − ratio[t]| ≤ 0.06; else it computes and the three accumulators reset.
// A new instance per section, as Studio re-initialises at step 0.

/** Studio's defaults (chosen "for quality over speed" over the demo's 3 skips / 0.2 retention). */
export const MAGCACHE_DEFAULTS = Object.freeze({ threshold: 0.1, maxSkips: 2, retention: 0.25 });
/** The per-step deviation limit Studio hard-codes (|1 − ratio[t]| ≤ 0.06 for a skip). */
export const MAGCACHE_MAX_RATIO_DEVIATION = 0.06;

/**
 * Nearest-index resampling of calibrated ratios to another step count (Studio's
 * _nearest_step_interpolation: index round(i·(n−1)/(m−1)), numpy's round-half-even).
 */
export function nearestStepInterpolation(ratios: readonly number[], steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`magcache: bad step count ${steps}`);
  if (ratios.length === 0) throw new RangeError('magcache: no ratios');
  if (ratios.length === steps) return [...ratios];
  if (steps === 1) return [ratios[ratios.length - 1]!];
  const scale = (ratios.length - 1) / (steps - 1);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const x = i * scale;
    const f = Math.floor(x);
    // numpy rounds halves to even.
    const idx = x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
    out.push(ratios[Math.min(idx, ratios.length - 1)]!);
  }
  return out;
}

/**
 * mean over tokens of ‖current_tok‖ / ‖previous_tok‖ (L2 over the hidden dimension), the
 * calibration statistic of both Studio and the authors' code (`norm(dim=-1)` ratio, `.mean()`).
 */
export function residualNormRatio(current: Float32Array, previous: Float32Array, hiddenSize: number): number {
  if (current.length !== previous.length) throw new RangeError(`magcache: residual length ${current.length} != ${previous.length}`);
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1 || current.length % hiddenSize !== 0) throw new RangeError(`magcache: ${current.length} values are not whole tokens of ${hiddenSize}`);
  const tokens = current.length / hiddenSize;
  let sum = 0;
  for (let t = 0; t < tokens; t++) {
    let a = 0, b = 0;
    for (let i = t * hiddenSize, end = i + hiddenSize; i < end; i++) {
      a += current[i]! * current[i]!;
      b += previous[i]! * previous[i]!;
    }
    sum += Math.sqrt(a) / Math.sqrt(b);
  }
  return sum / tokens;
}

export interface MagCacheOptions {
  /** Calls per section (the sampler steps); the counter wraps here like the official `cnt`. */
  numSteps: number;
  /** Calibrated ratios, ratio[0] = 1; resampled to numSteps when the lengths differ. */
  ratios: readonly number[];
  threshold?: number;
  maxSkips?: number;
  retention?: number;
}

export interface MagCacheDecision {
  compute: boolean;
  /** The call counter before this call. */
  step: number;
  /** Accumulated error after this call (0 after a compute that reset it). */
  accumulatedError: number;
}

export class MagCache {
  private step = 0;
  private accumulatedRatio = 1;
  private accumulatedError = 0;
  private accumulatedSteps = 0;
  private residual: Float32Array | null = null;
  private computedCalls = 0;
  private skippedCalls = 0;
  private readonly ratios: readonly number[];
  private readonly threshold: number;
  private readonly maxSkips: number;
  private readonly retainedSteps: number;

  constructor(private readonly opts: MagCacheOptions) {
    if (!Number.isInteger(opts.numSteps) || opts.numSteps < 1) throw new RangeError(`magcache: bad numSteps ${opts.numSteps}`);
    this.ratios = nearestStepInterpolation(opts.ratios, opts.numSteps);
    this.threshold = opts.threshold ?? MAGCACHE_DEFAULTS.threshold;
    this.maxSkips = opts.maxSkips ?? MAGCACHE_DEFAULTS.maxSkips;
    this.retainedSteps = Math.floor((opts.retention ?? MAGCACHE_DEFAULTS.retention) * opts.numSteps);
  }

  /** Decides one transformer call (the signal is not needed: the rule is a function of the step). */
  decide(): MagCacheDecision {
    const step = this.step;
    let compute = true;
    // Nothing to add before the first residual exists (a resumed or odd call order).
    if (step >= this.retainedSteps && step >= 1 && this.residual) {
      const ratio = this.ratios[step]!;
      this.accumulatedRatio *= ratio;
      this.accumulatedError += Math.abs(1 - this.accumulatedRatio);
      this.accumulatedSteps++;
      if (this.accumulatedError <= this.threshold && this.accumulatedSteps <= this.maxSkips && Math.abs(1 - ratio) <= MAGCACHE_MAX_RATIO_DEVIATION) {
        compute = false;
      } else {
        this.accumulatedRatio = 1;
        this.accumulatedError = 0;
        this.accumulatedSteps = 0;
      }
    }
    this.step = step + 1 === this.opts.numSteps ? 0 : step + 1;
    if (this.step === 0) {
      // A new round of steps (the official re-initialisation at cnt 0).
      this.accumulatedRatio = 1;
      this.accumulatedError = 0;
      this.accumulatedSteps = 0;
    }
    if (compute) this.computedCalls++;
    else this.skippedCalls++;
    return { compute, step, accumulatedError: this.accumulatedError };
  }

  shouldCompute(): boolean {
    return this.decide().compute;
  }

  /** After computing the blocks: residual = hidden_out − hidden_in. */
  storeResidual(hiddenIn: Float32Array, hiddenOut: Float32Array): void {
    if (hiddenIn.length !== hiddenOut.length) throw new RangeError('magcache: residual shapes differ');
    if (!this.residual || this.residual.length !== hiddenIn.length) this.residual = new Float32Array(hiddenIn.length);
    for (let i = 0; i < hiddenIn.length; i++) this.residual[i] = hiddenOut[i]! - hiddenIn[i]!;
  }

  /** When skipping: hidden_in + the last computed residual, as a new array. */
  applyCachedResidual(hiddenIn: Float32Array): Float32Array {
    const r = this.residual;
    if (!r) throw new Error('magcache: skip requested before any residual was stored');
    if (r.length !== hiddenIn.length) throw new RangeError(`magcache: residual length ${r.length} != ${hiddenIn.length}`);
    const out = new Float32Array(hiddenIn.length);
    for (let i = 0; i < out.length; i++) out[i] = hiddenIn[i]! + r[i]!;
    return out;
  }

  get stats(): { computed: number; skipped: number } {
    return { computed: this.computedCalls, skipped: this.skippedCalls };
  }
}
