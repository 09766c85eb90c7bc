import { describe, expect, it } from 'vitest';
import { WeightMismatchError } from '../../onnx/graph.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { runOnce, tensorF32 } from '../../onnx/run.js';
import { seededWeights } from '../../weights/seeded.js';
import { siglipDefinition } from './index.js';
import { siglipConfigFromHf, siglipConfigSchema, siglipFull, siglipNumPatches, siglipParameterShapes, siglipTiny, type SiglipConfig } from './siglip-config.js';
import { buildSiglipGraph } from './siglip-graph.js';

const count = (shapes: [string, number[]][]) => shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
const weights = seededWeights(siglipParameterShapes(siglipTiny), 13);

async function encode(c: SiglipConfig, dtype: 'float32' | 'float16' = 'float32', w = weights) {
  const model = await serializeModel(buildSiglipGraph(c, w, { weightDtype: dtype }));
  const pixels = Float32Array.from({ length: 3 * c.imageSize ** 2 }, (_, i) => Math.sin(i * 0.37));
  return (await runOnce(model, { pixel_values: tensorF32(pixels, [1, 3, c.imageSize, c.imageSize]) })).last_hidden_state!;
}

describe('siglip config', () => {
  it('has 729 tokens and ≈413 M parameters without the pooling head at full size (FRAMEPACK.md §1)', () => {
    expect(siglipConfigSchema.parse(siglipFull)).toEqual(siglipFull);
    expect(siglipNumPatches(siglipFull)).toBe(729);
    expect(count(siglipParameterShapes(siglipFull))).toBe(412_987_248);
    expect(siglipParameterShapes(siglipFull).some(([n]) => n.includes('.head.'))).toBe(false);
    expect(siglipConfigFromHf({
      hidden_size: 1152, num_hidden_layers: 27, num_attention_heads: 16, intermediate_size: 4304,
      image_size: 384, patch_size: 14, layer_norm_eps: 1e-6, hidden_act: 'gelu_pytorch_tanh',
    })).toEqual(siglipFull);
  });
});

describe('siglip graph', () => {
  it('maps [1, 3, 64, 64] to 64 tokens of 48', async () => {
    expect((await encode(siglipTiny)).dims).toEqual([1, 64, 48]);
    expect(Object.keys(siglipDefinition.buildGraphs(siglipTiny, weights, { weightDtype: 'float32' }))).toEqual(['image_encoder']);
  });

  it('sizes the position table by the config and refuses weights of another size', async () => {
    const small = { ...siglipTiny, imageSize: 32 };
    const err = await serializeModel(buildSiglipGraph(small, weights, { weightDtype: 'float32' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightMismatchError);
    expect((err as Error).message).toContain("'vision_model.embeddings.position_embedding.weight' has shape [64, 48], expected [16, 48]");
    expect((await encode(small, 'float32', seededWeights(siglipParameterShapes(small), 13))).dims).toEqual([1, 16, 48]);
  });

  it('builds a float16 graph that agrees with float32 to half precision', async () => {
    const [a, b] = [await encode(siglipTiny), await encode(siglipTiny, 'float16')];
    expect(Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)))).toBeLessThan(2e-2);
  });
});
