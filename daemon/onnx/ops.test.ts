// Numerical tests of the ops.ts helpers whose form is ours rather than one ONNX op: GroupNorm's
// two-pass statistics (against float64, on a group the size of a full-size VAE tile's) and the two
// attention forms (against each other and a direct float64 computation).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, type AttentionForm } from './graph.js';
import { f } from './graph.js';
import { attention, groupNorm, splitHeads } from './ops.js';
import { serializeModel } from './model-writer.js';
import { runOnce, tensorF32 } from './run.js';
import { MemoryWeights } from '../weights/weight-source.js';
import { SeededRandom } from '../weights/seeded.js';

/** torch.nn.GroupNorm in float64 on [1, C, rest] data: the exact answer float32 graphs are held to. */
function groupNormFloat64(x: Float32Array, channels: number, groups: number, eps: number, weight: Float32Array, bias: Float32Array): Float64Array {
  const perChannel = x.length / channels;
  const perGroup = perChannel * (channels / groups);
  const out = new Float64Array(x.length);
  for (let gi = 0; gi < groups; gi++) {
    const start = gi * perGroup;
    let sum = 0;
    for (let i = 0; i < perGroup; i++) sum += x[start + i]!;
    const mean = sum / perGroup;
    let sq = 0;
    for (let i = 0; i < perGroup; i++) { const d = x[start + i]! - mean; sq += d * d; }
    const inv = 1 / Math.sqrt(sq / perGroup + eps);
    for (let i = 0; i < perGroup; i++) {
      const c = Math.floor((start + i) / perChannel);
      out[start + i] = (x[start + i]! - mean) * inv * weight[c]! + bias[c]!;
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('groupNorm', () => {
  // One group of 4 × 10 × 512 × 512 = 10,485,760 values (a full-size VAE tile's groups hold 27.9 M) with
  // an offset mean, as activations after a conv have: the case where one-pass or naively summed
  // float32 statistics lose digits. ORT 1.30's GroupNormalization (function-expanded) is off by
  // ≈ 1e-3 here; the two-pass float32 form stays within float32 rounding of the normalised values.
  const channels = 4;
  const dims = [1, channels, 10, 512, 512];
  const perChannel = 10 * 512 * 512;
  const eps = 1e-6;
  const rng = new SeededRandom(7);
  const x = rng.normalArray(channels * perChannel, 1.5, 4);
  const weight = Float32Array.from([1.1, 0.9, -1.3, 0.7]);
  const bias = Float32Array.from([0.1, -0.2, 0.05, 0.3]);
  const expected = groupNormFloat64(x, channels, 1, eps, weight, bias);

  async function run(build: (g: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['input']>): Promise<Float32Array> {
    const w = new MemoryWeights();
    w.setFloat32('norm.weight', [channels], weight);
    w.setFloat32('norm.bias', [channels], bias);
    const g = new GraphBuilder('gn', { weights: w });
    const input = g.input('x', 'float32', dims);
    g.output(build(g, input), 'y', 'float32', dims);
    return (await runOnce(await serializeModel(g), { x: tensorF32(x, dims) })).y!.data;
  }

  it('matches a float64 GroupNorm to 2e-6 on one group of 10.5 M values', async () => {
    const y = await run((g, input) => groupNorm(g, input, 'norm', 1, channels, eps));
    const err = maxAbsDiff(y, expected);
    console.info(`groupNorm two-pass float32, 10.5 M-value group: max abs error ${err.toExponential(2)} vs float64`);
    expect(err).toBeLessThanOrEqual(2e-6);
  }, 30_000);

  it('the ONNX GroupNormalization op it replaces misses that bound (why ops.ts does not use it)', async () => {
    const y = await run((g, input) => g.op('GroupNormalization', [input, g.weight('norm.weight', [channels]), g.weight('norm.bias', [channels])],
      { num_groups: 1, epsilon: f(eps) }));
    const err = maxAbsDiff(y, expected);
    console.info(`ONNX GroupNormalization (ORT function body), same group: max abs error ${err.toExponential(2)} vs float64`);
    expect(err).toBeGreaterThan(2e-6);
  }, 30_000);

  it('keeps its statistics in float32 in a float16 graph (no overflow on large activations)', async () => {
    const w = new MemoryWeights();
    w.setFloat32('norm.weight', [2], Float32Array.from([1, 1]));
    w.setFloat32('norm.bias', [2], Float32Array.from([0, 0]));
    const g = new GraphBuilder('gn16', { weights: w, weightDtype: 'float16' });
    const input = g.input('x', 'float32', [1, 2, 4096]);
    const y = groupNorm(g, g.op('Cast', [input], { to: 10 }), 'norm', 1, 2, eps, 3);
    g.output(g.op('Cast', [y], { to: 1 }), 'y', 'float32', [1, 2, 4096]);
    // Values near 300: their squares (9e4) overflow float16 (max 65504), the sum of 8192 of them too.
    const data = new SeededRandom(3).normalArray(2 * 4096, 20, 300);
    const out = (await runOnce(await serializeModel(g), { x: tensorF32(data, [1, 2, 4096]) })).y!.data;
    const ref = groupNormFloat64(data, 2, 1, eps, Float32Array.from([1, 1]), Float32Array.from([0, 0]));
    expect(out.every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(out, ref)).toBeLessThan(0.01); // float16 input and output rounding only
  });
});

describe('attention forms', () => {
  const B = 1, S = 37, heads = 3, hd = 8;
  const rng = new SeededRandom(11);
  const q = rng.normalArray(B * S * heads * hd), k = rng.normalArray(B * S * heads * hd), v = rng.normalArray(B * S * heads * hd);
  // A causal additive mask [S, S] (0 / −1e4), the rank-2 form Llama and CLIP pass.
  const mask = Float32Array.from({ length: S * S }, (_, i) => (i % S <= Math.floor(i / S) ? 0 : -1e4));

  async function run(form: AttentionForm, masked: boolean) {
    const g = new GraphBuilder(`attn_${form}`, { attention: form });
    const inputs = ['q', 'k', 'v'].map((n) => splitHeads(g, g.input(n, 'float32', [B, S, heads * hd]), heads, hd));
    const m = masked ? { value: g.input('mask', 'float32', [S, S]), rank: 2 as const } : undefined;
    g.output(attention(g, inputs[0]!, inputs[1]!, inputs[2]!, heads, hd, m), 'out', 'float32', [B, S, heads * hd]);
    const feeds: Record<string, ReturnType<typeof tensorF32>> = { q: tensorF32(q, [B, S, heads * hd]), k: tensorF32(k, [B, S, heads * hd]), v: tensorF32(v, [B, S, heads * hd]) };
    if (masked) feeds.mask = tensorF32(mask, [S, S]);
    return { nodes: g.nodes.map((n) => n.opType), out: (await runOnce(await serializeModel(g), feeds)).out!.data };
  }

  /** softmax(q·kᵀ/√d + mask)·v per head in float64, [S, heads·hd] layout. */
  function reference(masked: boolean): Float64Array {
    const out = new Float64Array(S * heads * hd);
    const at = (a: Float32Array, s: number, h: number, d: number) => a[(s * heads + h) * hd + d]!;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < S; i++) {
        const scores = Array.from({ length: S }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += at(q, i, h, d) * at(k, j, h, d);
          return dot / Math.sqrt(hd) + (masked ? mask[i * S + j]! : 0);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < hd; d++) out[(i * heads + h) * hd + d] = e.reduce((acc, p, j) => acc + (p / sum) * at(v, j, h, d), 0);
      }
    }
    return out;
  }

  for (const masked of [false, true]) {
    it(`fused (MultiHeadAttention) and explicit agree with float64 ${masked ? 'with a rank-2 additive mask' : 'unmasked'}`, async () => {
      const fused = await run('fused', masked);
      const explicit = await run('explicit', masked);
      expect(fused.nodes).toContain('MultiHeadAttention');
      expect(fused.nodes).not.toContain('Softmax');
      expect(explicit.nodes).toContain('Softmax');
      expect(explicit.nodes).not.toContain('MultiHeadAttention');
      const ref = reference(masked);
      expect(maxAbsDiff(fused.out, ref)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(explicit.out, ref)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(fused.out, explicit.out)).toBeLessThanOrEqual(1e-5);
    });
  }
});
