// Layer-level helpers over GraphBuilder shared by every architecture definition: linear layers
// with checkpoint names, norms, activations and attention. Each helper documents the PyTorch
// module it matches so the cross-check references can mirror it.
import { f, type GraphBuilder, type Value } from './graph.js';

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

/** GroupNorm(groups, C) on NC… tensors, affine, as torch.nn.GroupNorm. */
export function groupNorm(g: GraphBuilder, x: Value, prefix: string, groups: number, channels: number, eps: number): Value {
  // ONNX GroupNormalization (opset 21) takes per-channel scale/bias, matching torch.
  return g.op('GroupNormalization', [x, g.weight(`${prefix}.weight`, [channels]), g.weight(`${prefix}.bias`, [channels])],
    { num_groups: groups, epsilon: f(eps) });
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
 * Scaled dot-product attention on [B, heads, S, D] tensors, written out (MatMul/Softmax) so it runs
 * on every execution provider. `mask` is an additive float mask broadcastable to [B, heads, Sq, Sk].
 */
export function sdpa(g: GraphBuilder, q: Value, k: Value, v: Value, headDim: number, mask?: Value): Value {
  const kT = transpose(g, k, [0, 1, 3, 2]);
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.scalar(1 / Math.sqrt(headDim))]);
  if (mask) scores = g.op('Add', [scores, mask]);
  return g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
}

/** [B, S, heads·D] → [B, heads, S, D] */
export const splitHeads = (g: GraphBuilder, x: Value, heads: number, headDim: number): Value =>
  transpose(g, reshape(g, x, [0, 0, heads, headDim]), [0, 2, 1, 3]);
/** [B, heads, S, D] → [B, S, heads·D] */
export const mergeHeads = (g: GraphBuilder, x: Value, heads: number, headDim: number): Value =>
  reshape(g, transpose(g, x, [0, 2, 1, 3]), [0, 0, heads * headDim]);
