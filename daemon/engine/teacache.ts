// TeaCache as the official packed transformer runs it (initialize_teacache + the forward's cache
// branch; FRAMEPACK.md §7), kept in TypeScript so the ONNX graph can be split into "pre" (which
// also yields the signal), "blocks" and "post". Per transformer call the pipeline asks
// `shouldCompute(modulatedInput)` — the image-side output of transformer_blocks[0].norm1 — and
// then either runs the 60 blocks and `storeResidual(in, out)`, or skips them with
// `applyCachedResidual(in)`. A new instance (or reset()) per section, as the demos re-initialise.
import { roundToBf16 } from '../weights/float-convert.js';

/** The HunyuanVideo TeaCache rescale polynomial, highest power first (np.poly1d order). */
export const TEACACHE_COEFFICIENTS: readonly number[] = Object.freeze([7.33226126e2, -4.01131952e2, 6.75869174e1, -3.149878, 9.61237896e-2]);
/** Official threshold ("0.1 for 1.6x speedup, 0.15 for 2.1x speedup"). */
export const TEACACHE_DEFAULT_THRESHOLD = 0.15;

/** np.poly1d evaluation (Horner, float64). */
export function evalPolynomial(coefficients: readonly number[], x: number): number {
  let y = 0;
  for (const c of coefficients) y = y * x + c;
  return y;
}

/**
 * mean|current − previous| / mean|previous|, accumulated in double. With `bf16` the two means and
 * the quotient are rounded to bfloat16, as the official code computes them on bf16 tensors.
 */
export function relativeL1(current: Float32Array, previous: Float32Array, bf16 = true): number {
  if (current.length !== previous.length) throw new RangeError(`teacache: signal length ${current.length} != ${previous.length}`);
  let diff = 0;
  let base = 0;
  for (let i = 0; i < current.length; i++) {
    diff += Math.abs(current[i]! - previous[i]!);
    base += Math.abs(previous[i]!);
  }
  const n = current.length;
  if (!bf16) return diff / n / (base / n);
  return roundToBf16(roundToBf16(diff / n) / roundToBf16(base / n));
}

export interface TeaCacheOptions {
  /** Off: every call computes and nothing is tracked (initialize_teacache(enable_teacache=False)). */
  enabled: boolean;
  /** Sampling steps of the section; calls 0 and numSteps−1 always compute. */
  numSteps: number;
  threshold?: number;
  coefficients?: readonly number[];
  /** Round the rel-L1 signal like the official bf16 tensors (default true). */
  bf16Signal?: boolean;
}

/** Why a call computed or skipped, for logs and tests. */
export interface TeaCacheDecision {
  compute: boolean;
  /** The call counter before this call (wraps at numSteps like the official `cnt`). */
  counter: number;
  /** rel-L1 to the previous signal; null on the always-computed first/last calls. */
  relL1: number | null;
  /** Accumulated rescaled distance after this call (0 after a compute). */
  accumulated: number;
}

export class TeaCache {
  private counter = 0;
  private accumulated = 0;
  private previousSignal: Float32Array | null = null;
  private residual: Float32Array | null = null;
  private computedCalls = 0;
  private skippedCalls = 0;
  private readonly threshold: number;
  private readonly coefficients: readonly number[];
  private readonly bf16Signal: boolean;

  constructor(private readonly opts: TeaCacheOptions) {
    if (!Number.isInteger(opts.numSteps) || opts.numSteps < 1) throw new RangeError(`teacache: bad numSteps ${opts.numSteps}`);
    this.threshold = opts.threshold ?? TEACACHE_DEFAULT_THRESHOLD;
    this.coefficients = opts.coefficients ?? TEACACHE_COEFFICIENTS;
    this.bf16Signal = opts.bf16Signal ?? true;
  }

  get enabled(): boolean { return this.opts.enabled; }

  /** initialize_teacache: counter, accumulator and cached tensors back to empty. */
  reset(): void {
    this.counter = 0;
    this.accumulated = 0;
    this.previousSignal = null;
    this.residual = null;
    this.computedCalls = 0;
    this.skippedCalls = 0;
  }

  /** Decides one transformer call from its modulated input (copied; the caller may reuse it). */
  decide(modulatedInput: Float32Array): TeaCacheDecision {
    if (!this.opts.enabled) {
      this.computedCalls++;
      return { compute: true, counter: 0, relL1: null, accumulated: 0 };
    }
    const counter = this.counter;
    let compute: boolean;
    let relL1: number | null = null;
    if (counter === 0 || counter === this.opts.numSteps - 1 || !this.previousSignal) {
      compute = true;
      this.accumulated = 0;
    } else {
      relL1 = relativeL1(modulatedInput, this.previousSignal, this.bf16Signal);
      this.accumulated += evalPolynomial(this.coefficients, relL1);
      compute = this.accumulated >= this.threshold;
      if (compute) this.accumulated = 0;
    }
    if (!this.previousSignal || this.previousSignal.length !== modulatedInput.length) this.previousSignal = new Float32Array(modulatedInput.length);
    this.previousSignal.set(modulatedInput);
    this.counter = counter + 1 === this.opts.numSteps ? 0 : counter + 1;
    if (compute) this.computedCalls++;
    else this.skippedCalls++;
    return { compute, counter, relL1, accumulated: this.accumulated };
  }

  shouldCompute(modulatedInput: Float32Array): boolean {
    return this.decide(modulatedInput).compute;
  }

  /** After computing the blocks: residual = hidden_out − hidden_in over the image-side tokens. */
  storeResidual(hiddenIn: Float32Array, hiddenOut: Float32Array): void {
    if (!this.opts.enabled) return;
    if (hiddenIn.length !== hiddenOut.length) throw new RangeError('teacache: residual shapes differ');
    if (!this.residual || this.residual.length !== hiddenIn.length) this.residual = new Float32Array(hiddenIn.length);
    for (let i = 0; i < hiddenIn.length; i++) this.residual[i] = hiddenOut[i]! - hiddenIn[i]!;
  }

  /** When skipping: hidden_in + the stored residual, as a new array. */
  applyCachedResidual(hiddenIn: Float32Array): Float32Array {
    const r = this.residual;
    if (!r) throw new Error('teacache: skip requested before any residual was stored');
    if (r.length !== hiddenIn.length) throw new RangeError(`teacache: residual length ${r.length} != ${hiddenIn.length}`);
    const out = new Float32Array(hiddenIn.length);
    for (let i = 0; i < out.length; i++) out[i] = hiddenIn[i]! + r[i]!;
    return out;
  }

  /** Calls computed and skipped since the last reset. */
  get stats(): { computed: number; skipped: number } {
    return { computed: this.computedCalls, skipped: this.skippedCalls };
  }
}
