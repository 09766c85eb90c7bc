// Graph helpers shared by the transformer graphs: dtype boundaries (graph I/O is float32, compute is
// the weight dtype), AdaLN modulation, per-head RMSNorm, RoPE and token-axis splits.
import { f, type GraphBuilder, type Value } from '../../onnx/graph.js';
import { chunk, linear, silu } from '../../onnx/ops.js';

const ONNX_FLOAT = 1;
const ONNX_FLOAT16 = 10;

/** float32 graph input → compute dtype. */
export function toCompute(g: GraphBuilder, x: Value): Value {
  return g.weightDtype === 'float16' ? g.op('Cast', [x], { to: ONNX_FLOAT16 }) : x;
}
/** compute dtype → float32 (graph outputs, precision-sensitive spots). */
export function toFloat32(g: GraphBuilder, x: Value): Value {
  return g.weightDtype === 'float16' ? g.op('Cast', [x], { to: ONNX_FLOAT }) : x;
}

/**
 * AdaLN modulation parameters: Linear(SiLU(temb)) split into `parts` chunks, each [1, 1, hidden] so
 * they broadcast over tokens. temb is [1, hidden].
 */
export function modulationChunks(g: GraphBuilder, temb: Value, prefix: string, hidden: number, parts: number): Value[] {
  const emb = linear(g, silu(g, temb), prefix, hidden, parts * hidden);
  return chunk(g, g.op('Unsqueeze', [emb, g.ints([1])]), parts, -1);
}

/** x·(1 + scale) + shift */
export function modulate(g: GraphBuilder, x: Value, shift: Value, scale: Value): Value {
  return g.op('Add', [g.op('Mul', [x, g.op('Add', [scale, g.scalar(1)])]), shift]);
}

/** Weight-free LayerNorm (eps 1e-6) over the last axis, as the AdaLN norms use. */
export function plainLayerNorm(g: GraphBuilder, x: Value, dim: number): Value {
  const ones = g.constant(g.weightDtype, [dim], new Array(dim).fill(1));
  const zeros = g.constant(g.weightDtype, [dim], new Array(dim).fill(0));
  return g.op('LayerNormalization', [x, ones, zeros], { axis: -1, epsilon: f(1e-6) });
}

/**
 * diffusers RMSNorm(headDim, eps 1e-6) on the last axis: the variance in float32 (dit_common's patch),
 * then the learnable weight in the compute dtype.
 */
export function headRmsNorm(g: GraphBuilder, x: Value, weightName: string, dim: number): Value {
  const xf = toFloat32(g, x);
  const ms = g.op('ReduceMean', [g.op('Mul', [xf, xf]), g.ints([-1])], { keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.scalar(1e-6, 'float32')])])]);
  const y = toCompute(g, g.op('Mul', [xf, inv]));
  return g.op('Mul', [y, g.weight(weightName, [dim])]);
}

/**
 * Rotary embedding on [1, heads, S, D] with float32 tables [S, D]: adjacent pairs (2j, 2j+1) rotate,
 * out = x·cos + rot(x)·sin with rot(x) = (−x₁, x₀, −x₃, x₂, …). Computed in float32 like the official
 * apply_rotary_emb_transposed.
 */
export function applyRope(g: GraphBuilder, x: Value, cos: Value, sin: Value, headDim: number): Value {
  const xf = toFloat32(g, x);
  const pairs = g.op('Reshape', [xf, g.ints([0, 0, 0, headDim / 2, 2])]);
  const [even, odd] = chunk(g, pairs, 2, -1);
  const rotated = g.op('Reshape', [g.op('Concat', [g.op('Neg', [odd!]), even!], { axis: -1 }), g.ints([0, 0, 0, headDim])]);
  const out = g.op('Add', [g.op('Mul', [xf, cos]), g.op('Mul', [rotated, sin])]);
  return toCompute(g, out);
}

/** Length of `x` along `axis` as a 1-D int64 tensor of one element. */
export function axisLength(g: GraphBuilder, x: Value, axis: number): Value {
  return g.op('Shape', [x], { start: axis, end: axis + 1 });
}

/** Splits `x` along `axis` into [0, n) and [n, end) where n is a 1-D int64 [1] tensor. */
export function splitAt(g: GraphBuilder, x: Value, axis: number, n: Value): [Value, Value] {
  const head = g.op('Slice', [x, g.ints([0]), n, g.ints([axis])]);
  const tail = g.op('Slice', [x, n, g.ints([2 ** 62]), g.ints([axis])]);
  return [head, tail];
}
