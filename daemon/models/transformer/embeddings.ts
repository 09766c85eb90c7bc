// Embedding parts of the packed transformer: sinusoidal timestep projection and its MLPs
// (time_text_embed), the HunyuanVideo token refiner (context_embedder), the SigLIP image projection
// and the Conv3d patchifiers (x_embedder, clean_x_embedder with replicate padding).
import type { GraphBuilder, Value } from '../../onnx/graph.js';
import { attention, chunk, layerNorm, linear, silu, splitHeads } from '../../onnx/ops.js';
import { TIME_PROJ_DIM } from './config.js';
import { toCompute } from './layers.js';

const ONNX_DOUBLE = 11;
const ONNX_FLOAT = 1;

/**
 * diffusers Timesteps(256, flip_sin_to_cos=True, shift=0) on a float32 [1] input: [cos(t·fᵢ), sin(t·fᵢ)]
 * with fᵢ = exp(−ln(10⁴)·i/128). The frequencies are the float32 values torch computes; the angle is a
 * float32 product as in torch, and sin/cos are taken in float64 because ORT's float32 sin/cos lose
 * accuracy at the large angles guidance produces (≈10⁴ rad).
 */
export function timestepProjection(g: GraphBuilder, t: Value): Value {
  const half = TIME_PROJ_DIM / 2;
  const lnMax = Math.fround(-Math.log(10000));
  const freqs = Array.from({ length: half }, (_, i) => Math.fround(Math.exp(Math.fround(Math.fround(lnMax * i) / half))));
  const angle = g.op('Mul', [g.op('Unsqueeze', [t, g.ints([1])]), g.constant('float32', [1, half], freqs)]);
  const angle64 = g.op('Cast', [angle], { to: ONNX_DOUBLE });
  const emb = g.op('Concat', [g.op('Cos', [angle64]), g.op('Sin', [angle64])], { axis: -1 });
  return toCompute(g, g.op('Cast', [emb], { to: ONNX_FLOAT }));
}

/** TimestepEmbedding / PixArtAlphaTextProjection(act silu): linear_1 → SiLU → linear_2. */
export function mlpEmbed(g: GraphBuilder, x: Value, prefix: string, inF: number, hidden: number): Value {
  return linear(g, silu(g, linear(g, x, `${prefix}.linear_1`, inF, hidden)), `${prefix}.linear_2`, hidden, hidden);
}

export interface RefinerDims { hidden: number; heads: number; headDim: number; mlp: number; textEmbedDim: number; layers: number }

/**
 * context_embedder (HunyuanVideoTokenRefiner) on text features [1, L, textEmbedDim] already cropped
 * to the L valid tokens. With every token valid the official mask m[i,j] = valid[i] ∧ valid[j] is all
 * true, so the attention runs unmasked and the masked mean is the plain mean. `tProj` is the
 * timestep projection (compute dtype, [1, 256]). Returns [1, L, hidden].
 */
export function tokenRefiner(g: GraphBuilder, text: Value, tProj: Value, d: RefinerDims): Value {
  return g.scope('context_embedder', () => {
    const pooled = toCompute(g, g.op('ReduceMean', [text, g.ints([1])], { keepdims: 0 }));
    const temb = g.op('Add', [
      mlpEmbed(g, tProj, 'context_embedder.time_text_embed.timestep_embedder', TIME_PROJ_DIM, d.hidden),
      mlpEmbed(g, pooled, 'context_embedder.time_text_embed.text_embedder', d.textEmbedDim, d.hidden),
    ]);
    let x = linear(g, toCompute(g, text), 'context_embedder.proj_in', d.textEmbedDim, d.hidden);
    const actTemb = silu(g, temb);
    for (let i = 0; i < d.layers; i++) {
      const p = `context_embedder.token_refiner.refiner_blocks.${i}`;
      x = g.scope(`refiner_blocks.${i}`, () => {
        const n1 = layerNorm(g, x, `${p}.norm1`, d.hidden, 1e-6);
        const q = splitHeads(g, linear(g, n1, `${p}.attn.to_q`, d.hidden, d.hidden), d.heads, d.headDim);
        const k = splitHeads(g, linear(g, n1, `${p}.attn.to_k`, d.hidden, d.hidden), d.heads, d.headDim);
        const v = splitHeads(g, linear(g, n1, `${p}.attn.to_v`, d.hidden, d.hidden), d.heads, d.headDim);
        const attn = linear(g, attention(g, q, k, v, d.heads, d.headDim), `${p}.attn.to_out.0`, d.hidden, d.hidden);
        // HunyuanVideoAdaNorm: (gate_msa, gate_mlp) = chunk2(Linear(SiLU(temb))), broadcast over tokens.
        const gates = linear(g, actTemb, `${p}.norm_out.linear`, d.hidden, 2 * d.hidden);
        const [gateMsa, gateMlp] = chunk(g, g.op('Unsqueeze', [gates, g.ints([1])]), 2, -1);
        let h = g.op('Add', [x, g.op('Mul', [attn, gateMsa!])]);
        const n2 = layerNorm(g, h, `${p}.norm2`, d.hidden, 1e-6);
        const ff = linear(g, silu(g, linear(g, n2, `${p}.ff.net.0.proj`, d.hidden, d.mlp)), `${p}.ff.net.2`, d.mlp, d.hidden);
        h = g.op('Add', [h, g.op('Mul', [ff, gateMlp!])]);
        return h;
      });
    }
    return x;
  });
}

/** ClipVisionProjection: down(SiLU(up(x))), SigLIP features → hidden. */
export function imageProjection(g: GraphBuilder, x: Value, imageProjDim: number, hidden: number): Value {
  return linear(g, silu(g, linear(g, x, 'image_projection.up', imageProjDim, 3 * hidden)), 'image_projection.down', 3 * hidden, hidden);
}

/**
 * Replicate-pads [B, C, T, H, W] at the end of T, H, W up to multiples of `kernel` (the official
 * pad_for_3d_conv), with pad sizes computed from the runtime shape so one graph serves every size.
 */
export function padEdgeToMultiple(g: GraphBuilder, x: Value, kernel: readonly number[]): Value {
  if (kernel.every((k) => k === 1)) return x;
  const thw = g.op('Shape', [x], { start: 2, end: 5 });
  const k = g.ints([...kernel]);
  const padEnd = g.op('Mod', [g.op('Sub', [k, g.op('Mod', [thw, k])]), k]);
  const pads = g.op('Concat', [g.ints([0, 0, 0, 0, 0, 0, 0]), padEnd], { axis: 0 });
  return g.op('Pad', [x, pads], { mode: 'edge' });
}

/**
 * Conv3d patchifier named `prefix` (kernel = stride) on [1, C, T, H, W], flattened to tokens
 * [1, T'·H'·W', hidden] in t-major, then y, then x order.
 */
export function patchify(g: GraphBuilder, x: Value, prefix: string, inChannels: number, hidden: number, kernel: readonly number[]): Value {
  const w = g.weight(`${prefix}.weight`, [hidden, inChannels, ...kernel]);
  const y = g.op('Conv', [x, w, g.weight(`${prefix}.bias`, [hidden])], { kernel_shape: [...kernel], strides: [...kernel] });
  return g.op('Transpose', [g.op('Reshape', [y, g.ints([0, hidden, -1])])], { perm: [0, 2, 1] });
}
