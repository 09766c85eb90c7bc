// Flow-matching Euler (the diffusers port's FlowMatchEulerDiscreteScheduler; FRAMEPACK.md §10.1):
// x ← x + (σ_{i+1} − σ_i)·v with v = (x − x0)/σ_i, one model evaluation per step, down to the last
// σ (normally 0, where the result is the last x0 prediction). Diffusers steps with the
// transformer's velocity directly; with guidance.ts's `x0From: 'fp32'` the two are the same.
import { checkSigmas, throwIfAborted, type SampleOptions, type Sampler } from './sampler.js';

export class EulerSampler implements Sampler {
  readonly name = 'euler';

  async sample({ x, sigmas, model, onStep, signal }: SampleOptions): Promise<Float32Array> {
    checkSigmas(sigmas);
    const steps = sigmas.length - 1;
    let cur: Float32Array = Float32Array.from(x);
    for (let i = 0; i < steps; i++) {
      const sigma = sigmas[i]!;
      const next = sigmas[i + 1]!;
      throwIfAborted(signal);
      const denoised = await model(cur, sigma, i);
      await onStep?.({ i, steps, sigma, x: cur, denoised });
      const out = new Float32Array(cur.length);
      if (next === 0) {
        out.set(denoised);
      } else {
        const dt = next - sigma;
        for (let e = 0; e < cur.length; e++) out[e] = cur[e]! + dt * ((cur[e]! - denoised[e]!) / sigma);
      }
      cur = out;
    }
    return cur;
  }
}
