// Shared fixtures for the VAE tests: seeded tiny weights and graphs serialized once per file.
import type { AttentionForm } from '../../onnx/graph.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { seededWeights } from '../../weights/seeded.js';
import type { MemoryWeights } from '../../weights/weight-source.js';
import { tinyVaeConfig } from './config.js';
import { buildVaeDecoder } from './decoder.js';
import { buildVaeEncoder } from './encoder.js';
import { vaeParameterShapes } from './parameters.js';

export const TINY_SEED = 1234;

/** Seeded tiny weights (defaultInit keeps activations O(1): conv std 1/√fan_in, norm scales ≈ 1). */
export function tinyVaeWeights(seed = TINY_SEED): MemoryWeights {
  return seededWeights(vaeParameterShapes(tinyVaeConfig), seed);
}

export async function tinyVaeModels(weights: MemoryWeights, weightDtype: 'float32' | 'float16' = 'float32', attention: AttentionForm = 'explicit') {
  return {
    encoder: await serializeModel(buildVaeEncoder(tinyVaeConfig, weights, weightDtype, attention)),
    decoder: await serializeModel(buildVaeDecoder(tinyVaeConfig, weights, weightDtype, attention)),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Frames [start, end) of a [1, C, T, H, W] array, flattened in C-major order. */
export function framesOf(data: Float32Array, dims: number[], start: number, end: number): number[] {
  const [, c, t, h, w] = dims as [number, number, number, number, number];
  const out: number[] = [];
  for (let ch = 0; ch < c; ch++) out.push(...data.subarray((ch * t + start) * h * w, (ch * t + end) * h * w));
  return out;
}
