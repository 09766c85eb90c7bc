// The one interface the velocity function (section-loop.ts, step-chain.ts) sees for skipping the
// transformer blocks: TeaCache, MagCache, none, or the MagCache calibrator. Per call the loop asks
// `shouldCompute(signal)` (signal = transformer_pre's teacache_signal, null when the graph has
// none), then either runs the blocks and `storeResidual(in, out)` or uses `applyCachedResidual(in)`.
// A fresh cache per section (`makeStepCache`), as the official demos re-initialise.
import { MagCache, residualNormRatio } from './magcache.js';
import { TeaCache } from './teacache.js';

export const STEP_CACHE_KINDS = ['tea', 'mag', 'off'] as const;
export type StepCacheKind = (typeof STEP_CACHE_KINDS)[number];

export interface StepCache {
  /** Whether this call runs the blocks. */
  shouldCompute(signal: Float32Array | null): boolean;
  storeResidual(hiddenIn: Float32Array, hiddenOut: Float32Array): void;
  applyCachedResidual(hiddenIn: Float32Array): Float32Array;
  /** Calls computed and skipped in this section. */
  readonly stats: { computed: number; skipped: number };
}

/** MagCache's calibrated ratios of a bundle (magcache-calibration.ts reads and writes them). */
export interface MagCacheRatios {
  ratios: readonly number[];
}

/** The cache settings of a resolved job (the pipeline JobSpec's fields). */
export interface StepCacheSpec {
  cache: StepCacheKind;
  steps: number;
  teacacheThreshold: number;
  magcacheThreshold: number;
  magcacheMaxSkips: number;
  magcacheRetention: number;
}

/** Every call computes; only counts. */
class NoCache implements StepCache {
  private computed = 0;
  shouldCompute(): boolean { this.computed++; return true; }
  storeResidual(): void {}
  applyCachedResidual(): Float32Array { throw new Error('step cache off: nothing to reuse'); }
  get stats() { return { computed: this.computed, skipped: 0 }; }
}

/** TeaCache behind the interface: without a signal (a graph without one) every call computes. */
class TeaStepCache implements StepCache {
  private unsignalled = 0;
  constructor(private readonly tea: TeaCache) {}
  shouldCompute(signal: Float32Array | null): boolean {
    if (!signal) { this.unsignalled++; return true; }
    return this.tea.shouldCompute(signal);
  }
  storeResidual(i: Float32Array, o: Float32Array): void { this.tea.storeResidual(i, o); }
  applyCachedResidual(i: Float32Array): Float32Array { return this.tea.applyCachedResidual(i); }
  get stats() { const s = this.tea.stats; return { computed: s.computed + this.unsignalled, skipped: s.skipped }; }
}

class MagStepCache implements StepCache {
  constructor(private readonly mag: MagCache) {}
  shouldCompute(): boolean { return this.mag.shouldCompute(); }
  storeResidual(i: Float32Array, o: Float32Array): void { this.mag.storeResidual(i, o); }
  applyCachedResidual(i: Float32Array): Float32Array { return this.mag.applyCachedResidual(i); }
  get stats() { return this.mag.stats; }
}

/** The text of the error a `--cache mag` job gets when its bundle has no calibration. */
export function missingCalibrationMessage(model: string): string {
  return `model ${model} has no MagCache calibration (magcache.json in its folder); run \`framepack models calibrate ${model}\` once, or use --cache tea or off`;
}

/** The section's cache; throws (naming the fix) for `mag` without calibrated ratios. */
export function makeStepCache(spec: StepCacheSpec & { model: string }, magcache: MagCacheRatios | null | undefined): StepCache {
  switch (spec.cache) {
    case 'off': return new NoCache();
    case 'tea': return new TeaStepCache(new TeaCache({ enabled: true, numSteps: spec.steps, threshold: spec.teacacheThreshold }));
    case 'mag':
      if (!magcache) throw new Error(missingCalibrationMessage(spec.model));
      return new MagStepCache(new MagCache({ numSteps: spec.steps, ratios: magcache.ratios, threshold: spec.magcacheThreshold, maxSkips: spec.magcacheMaxSkips, retention: spec.magcacheRetention }));
  }
}

/**
 * Computes every call and records the MagCache statistic between consecutive residuals of a
 * section: ratios()[t] for t ≥ 1 (ratio[0] = 1 by definition). `hiddenSize` = the transformer's
 * inner dimension (heads × head dim), the axis the norm runs over.
 */
export class MagCacheCalibrator implements StepCache {
  private previous: Float32Array | null = null;
  private readonly recorded: number[] = [1];
  private calls = 0;
  constructor(private readonly hiddenSize: number) {}
  shouldCompute(): boolean { this.calls++; return true; }
  storeResidual(hiddenIn: Float32Array, hiddenOut: Float32Array): void {
    const residual = new Float32Array(hiddenIn.length);
    for (let i = 0; i < residual.length; i++) residual[i] = hiddenOut[i]! - hiddenIn[i]!;
    if (this.previous) this.recorded.push(residualNormRatio(residual, this.previous, this.hiddenSize));
    this.previous = residual;
  }
  applyCachedResidual(): Float32Array { throw new Error('magcache calibration computes every call'); }
  get stats() { return { computed: this.calls, skipped: 0 }; }
  /** [1, ratio_1, …] over the calls seen. */
  ratios(): number[] { return [...this.recorded]; }
}
