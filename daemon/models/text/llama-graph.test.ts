import { describe, expect, it } from 'vitest';
import { WeightMismatchError } from '../../onnx/graph.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { runOnce, tensorI64 } from '../../onnx/run.js';
import { seededWeights } from '../../weights/seeded.js';
import { MemoryWeights } from '../../weights/weight-source.js';
import { llamaDefinition } from './index.js';
import { llamaConfigFromHf, llamaConfigSchema, llamaFull, llamaLayersRun, llamaParameterShapes, llamaTiny } from './llama-config.js';
import { buildLlamaGraph } from './llama-graph.js';

const count = (shapes: [string, number[]][]) => shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
const tinyWeights = seededWeights(llamaParameterShapes(llamaTiny), 7);

async function encode(ids: number[], dtype: 'float32' | 'float16' = 'float32') {
  const model = await serializeModel(buildLlamaGraph(llamaTiny, tinyWeights, { weightDtype: dtype }));
  return (await runOnce(model, { input_ids: tensorI64(ids, [1, ids.length]) })).hidden_states!;
}

describe('llama config', () => {
  it('accepts both sizes and refuses heads that kv heads do not divide', () => {
    expect(llamaConfigSchema.parse(llamaFull)).toEqual(llamaFull);
    expect(llamaConfigSchema.parse(llamaTiny)).toEqual(llamaTiny);
    expect(() => llamaConfigSchema.parse({ ...llamaTiny, numKvHeads: 3 })).toThrow(/multiple of numKvHeads/);
  });

  it('maps a transformers config.json and refuses rope scaling it does not implement', () => {
    const hf = {
      hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8,
      intermediate_size: 14336, vocab_size: 128320, rope_theta: 500000, rms_norm_eps: 1e-5, hidden_act: 'silu', rope_scaling: null,
    };
    expect(llamaConfigFromHf(hf)).toEqual(llamaFull);
    expect(() => llamaConfigFromHf({ ...hf, rope_scaling: { rope_type: 'llama3' } })).toThrow();
  });

  it('lists the whole checkpoint: 7.505 B parameters at full size (FRAMEPACK.md §1)', () => {
    expect(count(llamaParameterShapes(llamaFull))).toBe(7_505_186_816);
    expect(llamaDefinition.parameterShapes(llamaTiny)).toHaveLength(1 + 9 * 4 + 1);
  });
});

describe('llama graph', () => {
  it('reads only the layers before hidden_states[-3] and never the final norm', () => {
    expect(llamaLayersRun(llamaFull)).toBe(30);
    const g = buildLlamaGraph(llamaTiny, tinyWeights, { weightDtype: 'float32' });
    const used = [...g.usedWeights];
    expect(used.some((n) => n.startsWith('layers.1.'))).toBe(true);
    expect(used.some((n) => n.startsWith('layers.2.') || n.startsWith('layers.3.'))).toBe(false);
    expect(used).not.toContain('norm.weight');
    expect(Object.keys(llamaDefinition.buildGraphs(llamaTiny, tinyWeights, { weightDtype: 'float32' }))).toEqual(['text_encoder']);
  });

  it('takes any sequence length', async () => {
    expect((await encode([5])).dims).toEqual([1, 1, 64]);
    expect((await encode([5, 9, 300, 1, 2, 3, 4, 5, 511])).dims).toEqual([1, 9, 64]);
  });

  it('is causal: a later token does not change earlier positions', async () => {
    const a = await encode([10, 20, 30, 40, 50]);
    const b = await encode([10, 20, 30, 41, 50]);
    const hid = 64;
    expect(Array.from(b.data.subarray(0, 3 * hid))).toEqual(Array.from(a.data.subarray(0, 3 * hid)));
    const diff = Math.max(...Array.from(b.data.subarray(3 * hid), (v, i) => Math.abs(v - a.data[3 * hid + i]!)));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('builds a float16 graph that agrees with float32 to half precision', async () => {
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const [a, b] = [await encode(ids), await encode(ids, 'float16')];
    const err = Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)));
    expect(err).toBeLessThan(3e-2);
  });

  it('names a missing or mis-shaped tensor', async () => {
    const w = new MemoryWeights();
    for (const name of tinyWeights.names()) {
      if (name === 'layers.1.mlp.up_proj.weight') continue;
      const t = await tinyWeights.read(name);
      w.set(name, t.dtype, name === 'layers.0.self_attn.k_proj.weight' ? [64, 32] : t.shape, t.bytes);
    }
    const err = await serializeModel(buildLlamaGraph(llamaTiny, w, { weightDtype: 'float32' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightMismatchError);
    expect((err as Error).message).toContain("missing tensor 'layers.1.mlp.up_proj.weight'");
    expect((err as Error).message).toContain("tensor 'layers.0.self_attn.k_proj.weight' has shape [64, 32], expected [32, 64]");
  });
});
