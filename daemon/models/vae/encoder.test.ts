import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuSession, runOnce, tensorF32 } from '../../onnx/run.js';
import { SeededRandom } from '../../weights/seeded.js';
import { WeightMismatchError } from '../../onnx/graph.js';
import { MemoryWeights } from '../../weights/weight-source.js';
import { tinyVaeConfig } from './config.js';
import { buildVaeEncoder } from './encoder.js';
import { maxAbsDiff, tinyVaeModels, tinyVaeWeights } from './test-helpers.js';
import type ort from 'onnxruntime-node';

describe('vae_encoder graph (tiny)', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => { session = await createCpuSession((await tinyVaeModels(tinyVaeWeights())).encoder); });

  it('maps [1,3,1+4k,H,W] to mean/logvar [1,16,1+k,H/8,W/8] with dynamic axes', async () => {
    const rng = new SeededRandom(5);
    for (const [t, h, w] of [[1, 16, 24], [9, 8, 16]] as const) {
      const out = await runOnce(session, { pixels: tensorF32(rng.normalArray(3 * t * h * w), [1, 3, t, h, w]) });
      const k = (t - 1) / 4;
      expect(out.mean!.dims).toEqual([1, 16, 1 + k, h / 8, w / 8]);
      expect(out.logvar!.dims).toEqual([1, 16, 1 + k, h / 8, w / 8]);
    }
  });

  it('builds a float16 graph with float32 inputs/outputs that stays close to float32', async () => {
    const weights = tinyVaeWeights();
    const fp16 = await tinyVaeModels(weights, 'float16');
    const feeds = { pixels: tensorF32(new SeededRandom(7).normalArray(3 * 5 * 16 * 16), [1, 3, 5, 16, 16]) };
    const half = await runOnce(fp16.encoder, feeds);
    const full = await runOnce(session, feeds);
    expect(maxAbsDiff(half.mean!.data, full.mean!.data)).toBeLessThan(2e-2);
  });

  it('reports missing and mis-shaped checkpoint tensors by name', () => {
    const weights = tinyVaeWeights();
    const broken = new MemoryWeights();
    for (const name of weights.names()) {
      if (name === 'encoder.mid_block.attentions.0.to_k.weight') continue;
      const info = weights.info(name)!;
      if (name === 'quant_conv.bias') { broken.setFloat32(name, [31], new Float32Array(31)); continue; }
      broken.setFloat32(name, info.shape, new Float32Array(info.shape.reduce((a, b) => a * b, 1)));
    }
    expect(() => buildVaeEncoder(tinyVaeConfig, broken)).toThrow(WeightMismatchError);
    expect(() => buildVaeEncoder(tinyVaeConfig, broken)).toThrow(/to_k\.weight[\s\S]*quant_conv\.bias/);
  });
});
