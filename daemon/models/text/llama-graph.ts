// The Llama text encoder as an ONNX graph: input_ids [1, L] → hidden_states[-3] [1, L, hidden]
// (FRAMEPACK.md §2.1). Pre-norm decoder layers with RMSNorm, grouped-query attention with
// half-split rotary embeddings (transformers' rotate_half convention), a causal mask and a SiLU-gated
// MLP. The sequence length is dynamic; the RoPE tables and the mask are built in the graph from it.
import { GraphBuilder, type Value } from '../../onnx/graph.js';
import { OnnxDataType } from '../../onnx/onnx-proto.js';
import { attention, linear, silu, splitHeads } from '../../onnx/ops.js';
import type { WeightSource } from '../../weights/weight-source.js';
import type { BuildOptions } from '../component.js';
import { llamaLayersRun, type LlamaConfig } from './llama-config.js';

export const LLAMA_GRAPH_STEM = 'text_encoder';
export const LLAMA_INPUT = 'input_ids';
export const LLAMA_OUTPUT = 'hidden_states';
const SEQ = 'sequence';

const castTo = (g: GraphBuilder, x: Value, dtype: 'float32' | 'float16'): Value => g.op('Cast', [x], { to: OnnxDataType[dtype] });

/**
 * LlamaRMSNorm: the statistics are always taken in float32 (transformers upcasts too), because
 * Llama-3's residual stream has activations whose squares overflow float16.
 */
function llamaRmsNorm(g: GraphBuilder, x: Value, weightName: string, dim: number, eps: number): Value {
  const half = g.weightDtype === 'float16';
  const x32 = half ? castTo(g, x, 'float32') : x;
  const ms = g.op('ReduceMean', [g.op('Mul', [x32, x32]), g.ints([-1])], { keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.constant('float32', [], [eps])])])]);
  const normed = g.op('Mul', [x32, inv]);
  return g.op('Mul', [half ? castTo(g, normed, 'float16') : normed, g.weight(weightName, [dim])]);
}

interface Rope { cos: Value; sin: Value }

/**
 * cos/sin tables [L, headDim] for positions 0…L−1: angle(p, i) = p · θ^(−2i/headDim), the
 * headDim/2 frequencies repeated twice (cat(freqs, freqs)) to pair with rotate_half.
 */
function ropeTables(g: GraphBuilder, seqLen: Value, c: LlamaConfig): Rope {
  const halfDim = c.headDim / 2;
  // transformers computes inv_freq in float32 from an integer arange; we round the exact value once.
  const invFreq = Array.from({ length: halfDim }, (_, i) => 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim));
  const positions = g.op('Cast', [g.op('Range', [g.constant('int64', [], [0n]), seqLen, g.constant('int64', [], [1n])])], { to: OnnxDataType.float32 });
  const freqs = g.op('Mul', [g.op('Unsqueeze', [positions, g.ints([1])]), g.constant('float32', [1, halfDim], invFreq)]);
  const angles = g.op('Concat', [freqs, freqs], { axis: -1 });
  const toW = (v: Value) => (g.weightDtype === 'float16' ? castTo(g, v, 'float16') : v);
  return { cos: toW(g.op('Cos', [angles])), sin: toW(g.op('Sin', [angles])) };
}

/** x·cos + rotate_half(x)·sin on [B, heads, L, headDim], rotate_half(x) = cat(−x₂, x₁). */
function applyRope(g: GraphBuilder, x: Value, rope: Rope): Value {
  const [x1, x2] = g.opN('Split', [x], 2, { axis: -1, num_outputs: 2 });
  const rotated = g.op('Concat', [g.op('Neg', [x2!]), x1!], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, rope.cos]), g.op('Mul', [rotated, rope.sin])]);
}

/** Additive causal mask [L, L]: 0 on and below the diagonal, a large negative value above it. */
function causalMask(g: GraphBuilder, seqLen: Value): Value {
  const len1 = g.op('Unsqueeze', [seqLen, g.ints([0])]);
  const square = g.op('Concat', [len1, len1], { axis: 0 });
  // Built in float32 and cast: −65504, the float16 minimum, is exact in both and masks fully.
  const full = g.op('Expand', [g.constant('float32', [], [-65504]), square]);
  const mask = g.op('Trilu', [full, g.constant('int64', [], [1n])], { upper: 1 });
  return g.weightDtype === 'float16' ? castTo(g, mask, 'float16') : mask;
}

/** [B, kvHeads, L, D] → [B, kvHeads·nRep, L, D], each kv head repeated nRep times in place (repeat_kv). */
function repeatKv(g: GraphBuilder, x: Value, kvHeads: number, nRep: number, headDim: number): Value {
  if (nRep === 1) return x;
  const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.ints([2])]), g.ints([1, 1, nRep, 1, 1])]);
  return g.op('Reshape', [expanded, g.ints([0, kvHeads * nRep, -1, headDim])]);
}

function decoderLayer(g: GraphBuilder, h: Value, p: string, c: LlamaConfig, rope: Rope, mask: Value): Value {
  const { hiddenSize: hid, numHeads: heads, numKvHeads: kvHeads, headDim: hd } = c;
  const attnIn = llamaRmsNorm(g, h, `${p}.input_layernorm.weight`, hid, c.rmsNormEps);
  const q = applyRope(g, splitHeads(g, linear(g, attnIn, `${p}.self_attn.q_proj`, hid, heads * hd, false), heads, hd), rope);
  const k = applyRope(g, splitHeads(g, linear(g, attnIn, `${p}.self_attn.k_proj`, hid, kvHeads * hd, false), kvHeads, hd), rope);
  const v = splitHeads(g, linear(g, attnIn, `${p}.self_attn.v_proj`, hid, kvHeads * hd, false), kvHeads, hd);
  const nRep = heads / kvHeads;
  const attn = attention(g, q, repeatKv(g, k, kvHeads, nRep, hd), repeatKv(g, v, kvHeads, nRep, hd), heads, hd, { value: mask, rank: 2 });
  h = g.op('Add', [h, linear(g, attn, `${p}.self_attn.o_proj`, heads * hd, hid, false)]);

  const mlpIn = llamaRmsNorm(g, h, `${p}.post_attention_layernorm.weight`, hid, c.rmsNormEps);
  const gate = silu(g, linear(g, mlpIn, `${p}.mlp.gate_proj`, hid, c.intermediateSize, false));
  const up = linear(g, mlpIn, `${p}.mlp.up_proj`, hid, c.intermediateSize, false);
  return g.op('Add', [h, linear(g, g.op('Mul', [gate, up]), `${p}.mlp.down_proj`, c.intermediateSize, hid, false)]);
}

/**
 * Builds `text_encoder`: `input_ids` int64 [1, sequence] (unpadded, batch 1) →
 * `hidden_states` float32 [1, sequence, hiddenSize], the raw output of layer numLayers − 2.
 */
export function buildLlamaGraph(c: LlamaConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const g = new GraphBuilder(LLAMA_GRAPH_STEM, { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const ids = g.input(LLAMA_INPUT, 'int64', [1, SEQ]);
  const seqLen = g.op('Squeeze', [g.op('Shape', [ids], { start: 1, end: 2 }), g.ints([0])]);
  const rope = g.scope('rope', () => ropeTables(g, seqLen, c));
  const mask = g.scope('mask', () => causalMask(g, seqLen));
  let h = g.op('Gather', [g.weight('embed_tokens.weight', [c.vocabSize, c.hiddenSize]), ids], { axis: 0 });
  for (let i = 0; i < llamaLayersRun(c); i++) {
    const p = `layers.${i}`;
    h = g.scope(p, () => decoderLayer(g, h, p, c, rope, mask));
  }
  if (g.weightDtype === 'float16') h = castTo(g, h, 'float32');
  g.output(h, LLAMA_OUTPUT, 'float32', [1, SEQ, c.hiddenSize]);
  return g;
}
