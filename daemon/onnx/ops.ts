// Layer-level helpers over GraphBuilder shared by every architecture definition: linear layers
// with checkpoint names, norms, activations and attention. Each helper documents the PyTorch
// module it matches so the cross-check references can mirror it.
import { f, type GraphBuilder, type Value } from './graph.js';

const ONNX_FLOAT = 1;
const ONNX_FLOAT16 = 10;

/** The Linear layers of each graph by weight name, so a later pass (onnx/quantize-linears.ts) can
 *  tell a Linear's MatMul from an activation MatMul and swap it for MatMulNBits. */
export const linearLayers = new WeakMap<GraphBuilder, Map<string, { inF: number; outF: number }>>();

/** nn.Linear(inF, outF) named `prefix` (weight [out,in] stored transposed, bias optional). */
export function linear(g: GraphBuilder, x: Value, prefix: string, inF: number, outF: number, bias = true): Value {
  const w = g.weight(`${prefix}.weight`, [outF, inF], { transpose: true });
  let layers = linearLayers.get(g);
  if (!layers) linearLayers.set(g, (layers = new Map()));
  layers.set(w.name, { inF, outF });
  const y = g.op('MatMul', [x, w]);
  return bias ? g.op('Add', [y, g.weight(`${prefix}.bias`, [outF])]) : y;
}

/** nn.LayerNorm over the last axis; affine=false gives the weight-free form used by AdaLN. */
export function layerNorm(g: GraphBuilder, x: Value, prefix: string | null, dim: number, eps: number): Value {
  const scale = prefix ? g.weight(`${prefix}.weight`, [dim]) : g.constant(g.weightDtype, [dim], new Array(dim).fill(1));
  const bias = prefix ? g.weight(`${prefix}.bias`, [dim]) : g.constant(g.weightDtype, [dim], new Array(dim).fill(0));
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: f(eps) });
}

/** RMSNorm over the last axis: x · rsqrt(mean(x²) + eps) · weight (weight optional). */
export function rmsNorm(g: GraphBuilder, x: Value, weightName: string | null, dim: number, eps: number): Value {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x]), g.ints([-1])], { keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.scalar(eps)])])]);
  const y = g.op('Mul', [x, inv]);
  return weightName ? g.op('Mul', [y, g.weight(weightName, [dim])]) : y;
}

/**
 * GroupNorm(groups, C) on [N, C, …] tensors of rank `rank` (5 for the VAE's [N, C, T, H, W]),
 * affine, as torch.nn.GroupNorm. Written out instead of ONNX GroupNormalization: ORT 1.30 has no
 * kernel for that op and runs its function body, whose statistics drift with group size (6.6e-4 off
 * at 884,736 values, 9.4e-3 at a full-size VAE tile's 27.9 M). A single float32 ReduceMean over
 * the whole group is no better (ORT's CPU reduction sums sequentially: 2.6e-3 off at 10.5 M values).
 * Here the statistics are two-pass (mean, then the mean of squared deviations) and each pass is a
 * mean of means, one axis at a time (W, then H, T, channels-in-group): every partial sum covers at
 * most one axis' length, so float32 stays exact to rounding at any size, on every provider
 * (ops.test.ts measures it against float64). In a float16 graph the statistics and the
 * normalisation run in float32 and only the result is cast back, so large groups cannot overflow.
 */
export function groupNorm(g: GraphBuilder, x: Value, prefix: string, groups: number, channels: number, eps: number, rank = 5): Value {
  const half = g.weightDtype === 'float16';
  const x32 = half ? g.op('Cast', [x], { to: ONNX_FLOAT }) : x;
  const shape = g.op('Shape', [x]);
  // [N, C, d2, …] → [N, groups, C/groups, d2, …]: the statistics reduce axes 2 … rank.
  const groupedShape = g.op('Concat', [g.ints([0, groups, channels / groups]), g.op('Slice', [shape, g.ints([2]), g.ints([rank])])], { axis: 0 });
  const grouped = g.op('Reshape', [x32, groupedShape]);
  const meanOfGroup = (t: Value): Value => {
    let m = t;
    for (let axis = rank; axis >= 2; axis--) m = g.op('ReduceMean', [m, g.ints([axis])], { keepdims: 1 });
    return m;
  };
  const centred = g.op('Sub', [grouped, meanOfGroup(grouped)]);
  const variance = meanOfGroup(g.op('Mul', [centred, centred]));
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalar(eps, 'float32')])])]);
  const normed = g.op('Reshape', [g.op('Mul', [centred, inv]), shape]);
  const y = half ? g.op('Cast', [normed], { to: ONNX_FLOAT16 }) : normed;
  // Per-channel affine: weight and bias [C] as [C, 1, …, 1] to broadcast over the trailing axes.
  const perChannel = (name: string) => g.op('Reshape', [g.weight(name, [channels]), g.ints([channels, ...new Array<number>(rank - 2).fill(1)])]);
  return g.op('Add', [g.op('Mul', [y, perChannel(`${prefix}.weight`)]), perChannel(`${prefix}.bias`)]);
}

export const silu = (g: GraphBuilder, x: Value): Value => g.op('Mul', [x, g.op('Sigmoid', [x])]);
export const geluTanh = (g: GraphBuilder, x: Value): Value => g.op('Gelu', [x], { approximate: 'tanh' });
export const geluErf = (g: GraphBuilder, x: Value): Value => g.op('Gelu', [x]);
/** CLIP's quick_gelu: x · sigmoid(1.702 x). */
export const quickGelu = (g: GraphBuilder, x: Value): Value => g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.scalar(1.702)])])]);

export const reshape = (g: GraphBuilder, x: Value, shape: number[]): Value => g.op('Reshape', [x, g.ints(shape)]);
export const transpose = (g: GraphBuilder, x: Value, perm: number[]): Value => g.op('Transpose', [x], { perm });
export const concat = (g: GraphBuilder, xs: Value[], axis: number): Value => g.op('Concat', xs, { axis });
export function slice(g: GraphBuilder, x: Value, axis: number, start: number, end: number): Value {
  return g.op('Slice', [x, g.ints([start]), g.ints([end]), g.ints([axis])]);
}
/** Splits the last axis into `parts` equal chunks (torch.chunk). */
export function chunk(g: GraphBuilder, x: Value, parts: number, axis = -1): Value[] {
  return g.opN('Split', [x], parts, { axis, num_outputs: parts });
}

/**
 * Scaled dot-product attention on [B, heads, S, D] tensors, written out (MatMul/Softmax): the
 * 'explicit' attention form. It runs on every execution provider but materialises the S×S scores.
 * `mask` is an additive float mask broadcastable to [B, heads, Sq, Sk].
 */
export function sdpa(g: GraphBuilder, q: Value, k: Value, v: Value, headDim: number, mask?: Value): Value {
  const kT = transpose(g, k, [0, 1, 3, 2]);
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.scalar(1 / Math.sqrt(headDim))]);
  if (mask) scores = g.op('Add', [scores, mask]);
  return g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
}

/**
 * Attention on [B, heads, S, D] q/k/v, returning [B, Sq, heads·D], in the graph's attention form
 * (g.attention, a bundle build option recorded in the manifest):
 *  - 'explicit': sdpa() then mergeHeads, the node-for-node form older bundles hold;
 *  - 'fused': one `com.microsoft` MultiHeadAttention node on [B, S, heads·D] inputs. ORT 1.30 runs it
 *    on CPU, CUDA and WebGPU (the WebGPU kernel has a flash path that never builds the S×S scores);
 *    the opset-23 Attention op would take BNSH directly but has no WebGPU kernel (GPU.md §1).
 * `mask` is an additive float mask of rank `maskRank` (2: [Sq, Sk], 4: [B|1, heads|1, Sq, Sk]); the
 * fused op wants the 4-D form (its attention_bias), so a 2-D mask gains two leading axes.
 */
export function attention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number, headDim: number,
  mask?: { value: Value; rank: 2 | 4 }): Value {
  if (g.attention === 'explicit') return mergeHeads(g, sdpa(g, q, k, v, headDim, mask?.value), heads, headDim);
  const bias = mask ? (mask.rank === 2 ? g.op('Unsqueeze', [mask.value, g.ints([0, 1])]) : mask.value) : null;
  const merge = (t: Value) => mergeHeads(g, t, heads, headDim);
  return fusedAttention(g, merge(q), merge(k), merge(v), heads, bias);
}

/**
 * com.microsoft MultiHeadAttention on [B, S, heads·D] q/k/v with an optional additive
 * attention_bias [B|1, heads|1, Sq, Sk]; scale 1/√D (the op's default). Returns [B, Sq, heads·D].
 * Inputs 3 and 4 (packed bias, key_padding_mask) stay empty: WebGPU implements neither.
 */
export function fusedAttention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number, bias: Value | null = null): Value {
  return g.op('MultiHeadAttention', bias ? [q, k, v, null, null, bias] : [q, k, v], { num_heads: heads }, { domain: 'com.microsoft' });
}

/** [B, S, heads·D] → [B, heads, S, D] */
export const splitHeads = (g: GraphBuilder, x: Value, heads: number, headDim: number): Value =>
  transpose(g, reshape(g, x, [0, 0, heads, headDim]), [0, 2, 1, 3]);
/** [B, heads, S, D] → [B, S, heads·D] */
export const mergeHeads = (g: GraphBuilder, x: Value, heads: number, headDim: number): Value =>
  reshape(g, transpose(g, x, [0, 2, 1, 3]), [0, 0, heads * headDim]);
