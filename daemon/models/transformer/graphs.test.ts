import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../onnx/graph.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { decodeModel } from '../../onnx/onnx-proto.js';
import { runOnce, tensorF32, tensorI64 } from '../../onnx/run.js';
import { seededWeights } from '../../weights/seeded.js';
import { transformerDefinition } from './index.js';
import { transformerConfigSchema } from './config.js';
import { keepNoisyTokens, unpatchify, TRANSFORMER_GRAPHS } from './graphs.js';
import { padEdgeToMultiple } from './embeddings.js';
import type { WeightSource } from '../../weights/weight-source.js';

describe('transformer definition', () => {
  it('validates both configs and rejects RoPE axes that do not sum to the head dim', () => {
    expect(transformerConfigSchema.parse(transformerDefinition.full)).toEqual(transformerDefinition.full);
    expect(transformerConfigSchema.parse(transformerDefinition.tiny)).toEqual(transformerDefinition.tiny);
    expect(transformerConfigSchema.safeParse({ ...transformerDefinition.tiny, ropeAxesDim: [8, 12, 10] }).success).toBe(false);
  });

  it('lists the official 12,874,314,816 parameters for the full config', () => {
    const shapes = transformerDefinition.parameterShapes(transformerDefinition.full);
    const total = shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(12_874_314_816);
    expect(new Set(shapes.map(([n]) => n)).size).toBe(shapes.length);
    const names = new Set(shapes.map(([n]) => n));
    for (const n of ['x_embedder.proj.weight', 'clean_x_embedder.proj_4x.weight', 'image_projection.up.weight',
      'context_embedder.token_refiner.refiner_blocks.1.ff.net.2.bias', 'time_text_embed.guidance_embedder.linear_2.weight',
      'transformer_blocks.19.attn.norm_added_k.weight', 'transformer_blocks.0.ff_context.net.0.proj.weight',
      'single_transformer_blocks.39.proj_out.weight', 'norm_out.linear.weight', 'proj_out.bias']) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('builds five graphs that together read every parameter', () => {
    const config = transformerDefinition.tiny;
    const weights = seededWeights(transformerDefinition.parameterShapes(config), 7);
    const graphs = transformerDefinition.buildGraphs(config, weights, { weightDtype: 'float32' });
    expect(Object.keys(graphs).sort()).toEqual([...TRANSFORMER_GRAPHS].sort());
    const used = new Set<string>();
    for (const g of Object.values(graphs)) for (const n of g.usedWeights) used.add(n);
    expect([...used].sort()).toEqual(weights.names().sort());
  });

  it('builds the full-size graphs against the official checkpoint shapes', () => {
    const shapes = new Map(transformerDefinition.parameterShapes(transformerDefinition.full));
    const source: WeightSource = {
      names: () => [...shapes.keys()],
      info: (name) => {
        const shape = shapes.get(name);
        return shape && { dtype: 'bfloat16', shape, byteLength: 2 * shape.reduce((a, b) => a * b, 1) };
      },
      read: () => { throw new Error('shape-only source'); },
    };
    const graphs = transformerDefinition.buildGraphs(transformerDefinition.full, source, { weightDtype: 'float16' });
    const used = new Set(Object.values(graphs).flatMap((g) => [...g.usedWeights]));
    expect(used.size).toBe(shapes.size);
    expect(graphs.transformer_blocks!.inputs.find((i) => i.name === 'rope_cos')!.dims).toEqual(['image_side_tokens', 128]);
  });

  it('stores weights as float16 when asked, except the float32 output head', async () => {
    const config = transformerDefinition.tiny;
    const weights = seededWeights(transformerDefinition.parameterShapes(config), 7);
    const graphs = transformerDefinition.buildGraphs(config, weights, { weightDtype: 'float16' });
    const dtypeOf = (g: GraphBuilder, name: string) => g.initializers.get(name)?.dtype;
    expect(dtypeOf(graphs.transformer_blocks!, 'transformer_blocks.0.attn.to_q.weight')).toBe('float16');
    expect(dtypeOf(graphs.transformer_pre!, 'x_embedder.proj.weight')).toBe('float16');
    expect(dtypeOf(graphs.transformer_post!, 'proj_out.weight')).toBe('float32');
    // The graph interface stays float32.
    const model = decodeModel(await serializeModel(graphs.transformer_blocks!)) as { graph: { input: { type: { tensorType: { elemType: number } } }[] } };
    expect(model.graph.input.map((i) => i.type.tensorType.elemType)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('padding and unpatchify', () => {
  it('replicate-pads T, H, W at the end to multiples of the kernel', async () => {
    const g = new GraphBuilder('pad');
    const x = g.input('x', 'float32', [1, 1, 't', 'h', 'w']);
    g.output(padEdgeToMultiple(g, x, [2, 4, 4]), 'y', 'float32', [1, 1, 't2', 'h2', 'w2']);
    const [T, H, W] = [3, 5, 6];
    const data = Float32Array.from({ length: T * H * W }, (_, i) => i);
    const out = await runOnce(await serializeModel(g), { x: tensorF32(data, [1, 1, T, H, W]) });
    expect(out.y!.dims).toEqual([1, 1, 4, 8, 8]);
    for (let t = 0; t < 4; t++) for (let y = 0; y < 8; y++) for (let xx = 0; xx < 8; xx++) {
      const src = (Math.min(t, T - 1) * H + Math.min(y, H - 1)) * W + Math.min(xx, W - 1);
      expect(out.y!.data[(t * 8 + y) * 8 + xx]).toBe(src);
    }
    // Already aligned sizes are left alone.
    const aligned = await runOnce(await serializeModel(g), { x: tensorF32(new Float32Array(2 * 4 * 8), [1, 1, 2, 4, 8]) });
    expect(aligned.y!.dims).toEqual([1, 1, 2, 4, 8]);
  });

  it("unpatchifies 'b (t h w) (c pt ph pw) -> b c (t pt) (h ph) (w pw)' from the noisy tail", async () => {
    const C = 3, patch = [1, 2, 2] as const;
    const g = new GraphBuilder('unpatchify');
    const tokens = g.input('tokens', 'float32', [1, 's', C * 4]);
    const shape = g.input('shape', 'int64', [3]);
    g.output(unpatchify(g, keepNoisyTokens(g, tokens, shape, patch), shape, C, patch), 'y', 'float32', [1, C, 't', 'h', 'w']);
    const [T, H, W] = [2, 4, 6];
    const n = T * (H / 2) * (W / 2);
    const extra = 5; // context tokens in front, dropped
    // token i, channel j holds 1000·i + j for the noisy tokens
    const data = Float32Array.from({ length: (extra + n) * C * 4 }, (_, k) => {
      const tok = Math.floor(k / (C * 4)) - extra;
      return tok < 0 ? -1 : 1000 * tok + (k % (C * 4));
    });
    const out = await runOnce(await serializeModel(g), { tokens: tensorF32(data, [1, extra + n, C * 4]), shape: tensorI64([T, H, W], [3]) });
    expect(out.y!.dims).toEqual([1, C, T, H, W]);
    for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const token = (t * (H / 2) + (y >> 1)) * (W / 2) + (x >> 1);
      const channel = c * 4 + (y % 2) * 2 + (x % 2);
      expect(out.y!.data[((c * T + t) * H + y) * W + x]).toBe(1000 * token + channel);
    }
  });
});
