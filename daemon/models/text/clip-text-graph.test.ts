import { describe, expect, it } from 'vitest';
import { serializeModel } from '../../onnx/model-writer.js';
import { runOnce, tensorI64 } from '../../onnx/run.js';
import { seededWeights } from '../../weights/seeded.js';
import { clipTextDefinition } from './index.js';
import { clipTextConfigFromHf, clipTextConfigSchema, clipTextFull, clipTextParameterShapes, clipTextTiny } from './clip-text-config.js';
import { buildClipTextGraph, clipPoolingIndex } from './clip-text-graph.js';

const count = (shapes: [string, number[]][]) => shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
const weights = seededWeights(clipTextParameterShapes(clipTextTiny), 11);
const EOS = 511;

function padded(prompt: number[]): number[] {
  const ids = [510, ...prompt, EOS];
  while (ids.length < 77) ids.push(EOS);
  return ids;
}

async function pool(ids: number[], eosIndex: number, dtype: 'float32' | 'float16' = 'float32') {
  const model = await serializeModel(buildClipTextGraph(clipTextTiny, weights, { weightDtype: dtype }));
  return (await runOnce(model, { input_ids: tensorI64(ids, [1, 77]), eos_index: tensorI64([eosIndex], [1]) })).pooled!;
}
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('clip text config', () => {
  it('has 123.06 M parameters at full size (FRAMEPACK.md §1) and maps config.json', () => {
    expect(count(clipTextParameterShapes(clipTextFull))).toBe(123_060_480);
    expect(clipTextConfigSchema.parse(clipTextTiny)).toEqual(clipTextTiny);
    expect(clipTextConfigFromHf({
      hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
      max_position_embeddings: 77, vocab_size: 49408, layer_norm_eps: 1e-5, hidden_act: 'quick_gelu', eos_token_id: 2,
    })).toEqual(clipTextFull);
  });
});

describe('clipPoolingIndex', () => {
  it('finds the first EOS, which is the legacy argmax when EOS is the largest id', () => {
    expect(clipPoolingIndex([49406, 320, 1125, 49407, 49407, 49407], 49407)).toBe(3);
    expect(clipPoolingIndex([49406, 320, 1125], 49407)).toBe(0);
    expect(clipPoolingIndex([5, 320, 9, 320], 49407)).toBe(1);
  });
});

describe('clip text graph', () => {
  it('pools one row of [1, hidden] at the given position', async () => {
    const ids = padded([7, 8, 9]);
    const out = await pool(ids, clipPoolingIndex(ids, EOS));
    expect(out.dims).toEqual([1, 32]);
    expect(maxDiff(out.data, (await pool(ids, 2)).data)).toBeGreaterThan(1e-2);
    expect(Object.keys(clipTextDefinition.buildGraphs(clipTextTiny, weights, { weightDtype: 'float32' }))).toEqual(['text_encoder_2']);
  });

  it('is causal: tokens after the EOS do not change the pooled vector', async () => {
    const a = padded([7, 8, 9]);
    const b = [...a];
    b[10] = 123;
    b[40] = 3;
    expect(maxDiff((await pool(a, 4)).data, (await pool(b, 4)).data)).toBe(0);
  });

  it('builds a float16 graph that agrees with float32 to half precision', async () => {
    const ids = padded([100, 200, 300, 400]);
    expect(maxDiff((await pool(ids, 5)).data, (await pool(ids, 5, 'float16')).data)).toBeLessThan(2e-2);
  });
});
