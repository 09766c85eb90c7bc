// Building blocks of the causal 3D VAE as ONNX subgraphs on [B, C, T, H, W] tensors: the causal
// convolution, the resnet block, the causal mid-block attention, and the resamplers. Each helper
// names the diffusers module it matches (autoencoder_kl_hunyuan_video.py).
import type { GraphBuilder, Value } from '../../onnx/graph.js';
import { fusedAttention, groupNorm, linear, silu, transpose } from '../../onnx/ops.js';

/** GroupNorm eps used by every norm in this VAE (resnets, attention, conv_norm_out). */
export const VAE_NORM_EPS = 1e-6;

/**
 * HunyuanVideoCausalConv3d: replicate ('edge') padding of k−1 frames in front of the clip and none
 * behind, so frame t only sees frames ≤ t, plus k//2 replicated pixels on each spatial side; then an
 * unpadded Conv3d (`<prefix>.conv`) with the given (T, H, W) stride.
 */
export function causalConv3d(g: GraphBuilder, x: Value, prefix: string, inC: number, outC: number, k: 3 | 1,
  stride: [number, number, number] = [1, 1, 1]): Value {
  const w = g.weight(`${prefix}.conv.weight`, [outC, inC, k, k, k]);
  const b = g.weight(`${prefix}.conv.bias`, [outC]);
  let padded = x;
  if (k > 1) {
    const s = Math.floor(k / 2);
    padded = g.op('Pad', [x, g.ints([0, 0, k - 1, s, s, 0, 0, 0, s, s])], { mode: 'edge' });
  }
  return g.op('Conv', [padded, w, b], { kernel_shape: [k, k, k], strides: stride });
}

/** A plain nn.Conv3d with kernel 1 (quant_conv, post_quant_conv). */
export function pointwiseConv3d(g: GraphBuilder, x: Value, prefix: string, inC: number, outC: number): Value {
  const w = g.weight(`${prefix}.weight`, [outC, inC, 1, 1, 1]);
  return g.op('Conv', [x, w, g.weight(`${prefix}.bias`, [outC])], { kernel_shape: [1, 1, 1] });
}

/** GroupNorm followed by SiLU, the pre-activation used before every 3×3×3 conv. */
export function normSilu(g: GraphBuilder, x: Value, prefix: string, groups: number, channels: number): Value {
  return silu(g, groupNorm(g, x, prefix, groups, channels, VAE_NORM_EPS));
}

/** HunyuanVideoResnetBlockCausal3D: norm1→silu→conv1→norm2→silu→conv2, plus a 1×1×1 shortcut when C changes. */
export function resnetBlock(g: GraphBuilder, x: Value, prefix: string, inC: number, outC: number, groups: number): Value {
  return g.scope(prefix, () => {
    let h = causalConv3d(g, normSilu(g, x, `${prefix}.norm1`, groups, inC), `${prefix}.conv1`, inC, outC, 3);
    h = causalConv3d(g, normSilu(g, h, `${prefix}.norm2`, groups, outC), `${prefix}.conv2`, outC, outC, 3);
    const residual = inC !== outC ? causalConv3d(g, x, `${prefix}.conv_shortcut`, inC, outC, 1) : x;
    return g.op('Add', [h, residual]);
  });
}

/**
 * The mid-block Attention (one head of width C, residual): tokens are every (t, h, w) position in
 * frame-major order, and a token may attend to tokens of its own frame and of earlier frames.
 * In the explicit form, scores and softmax run in float32 even in a float16 graph (the official
 * block upcasts softmax); the fused form (MultiHeadAttention) leaves that to the kernel, whose
 * softmax accumulates in float32 (on the CPU the fp16 decoder is 3.2e-3 off fp32 in either form).
 */
export function causalAttention(g: GraphBuilder, x: Value, prefix: string, channels: number, groups: number): Value {
  return g.scope(prefix, () => {
    const shape = g.op('Shape', [x]); // [B, C, T, H, W]
    const normed = groupNorm(g, x, `${prefix}.group_norm`, groups, channels, VAE_NORM_EPS);
    // [B, C, T, H, W] → [B, C, S] → [B, S, C]
    const tokens = transpose(g, g.op('Reshape', [normed, g.ints([0, 0, -1])]), [0, 2, 1]);
    const q = linear(g, tokens, `${prefix}.to_q`, channels, channels);
    const k = linear(g, tokens, `${prefix}.to_k`, channels, channels);
    const v = linear(g, tokens, `${prefix}.to_v`, channels, channels);
    if (g.attention === 'fused') {
      // One head of width C; the frame-causal mask becomes an additive attention_bias [1, 1, S, S]
      // (0 where allowed, −∞ elsewhere; every query may see its own frame, so no row is empty).
      const allowed = causalFrameMask(g, shape);
      const bias = g.op('Unsqueeze', [g.op('Where', [allowed, g.scalar(0), g.scalar(-Infinity)]), g.ints([0, 1])]);
      const attended = linear(g, fusedAttention(g, q, k, v, 1, bias), `${prefix}.to_out.0`, channels, channels);
      return g.op('Add', [g.op('Reshape', [transpose(g, attended, [0, 2, 1]), shape]), x]);
    }
    let scores = g.op('MatMul', [q, transpose(g, k, [0, 2, 1])]);
    if (g.weightDtype !== 'float32') scores = g.op('Cast', [scores], { to: 1 });
    scores = g.op('Mul', [scores, g.scalar(1 / Math.sqrt(channels), 'float32')]);
    scores = g.op('Where', [causalFrameMask(g, shape), scores, g.scalar(-Infinity, 'float32')]);
    let probs = g.op('Softmax', [scores], { axis: -1 });
    if (g.weightDtype !== 'float32') probs = g.op('Cast', [probs], { to: 10 });
    const attended = linear(g, g.op('MatMul', [probs, v]), `${prefix}.to_out.0`, channels, channels);
    const back = g.op('Reshape', [transpose(g, attended, [0, 2, 1]), shape]);
    return g.op('Add', [back, x]);
  });
}

/** Boolean [S, S] mask, true where key frame ≤ query frame, for S = T·H·W tokens in frame-major order. */
function causalFrameMask(g: GraphBuilder, shape5d: Value): Value {
  const dims = (start: number, end: number) => g.op('Slice', [shape5d, g.ints([start]), g.ints([end])]);
  const pixelsPerFrame = g.op('ReduceProd', [dims(3, 5)], { keepdims: 0 });
  const tokenCount = g.op('ReduceProd', [dims(2, 5)], { keepdims: 0 });
  const tokenIndex = g.op('Range', [g.constant('int64', [], [0n]), tokenCount, g.constant('int64', [], [1n])]);
  const frameOf = g.op('Div', [tokenIndex, pixelsPerFrame]); // integer division
  const queryFrame = g.op('Unsqueeze', [frameOf, g.ints([1])]); // [S, 1]
  const keyFrame = g.op('Unsqueeze', [frameOf, g.ints([0])]); // [1, S]
  return g.op('LessOrEqual', [keyFrame, queryFrame]);
}

/**
 * HunyuanVideoMidBlock3D with one attention layer: resnet → (attention) → resnet, all at C channels.
 */
export function midBlock(g: GraphBuilder, x: Value, prefix: string, channels: number, groups: number, attention: boolean): Value {
  let h = resnetBlock(g, x, `${prefix}.resnets.0`, channels, channels, groups);
  if (attention) h = causalAttention(g, h, `${prefix}.attentions.0`, channels, groups);
  return resnetBlock(g, h, `${prefix}.resnets.1`, channels, channels, groups);
}

/**
 * Nearest-neighbour ×2 repeat along W, H and optionally T, with Unsqueeze/Expand/Reshape so it
 * runs on every execution provider and any rank-5 shape (Resize is patchy for 5-D on GPUs).
 */
export function repeatNearest(g: GraphBuilder, x: Value, time: boolean): Value {
  // [B,C,T,H,W] → [B,C,T,(1),H,1,W,1] → expand the unit axes to 2 → merge.
  const axes = time ? [3, 5, 7] : [4, 6];
  const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.ints(axes)]), g.ints(time ? [1, 1, 1, 2, 1, 2, 1, 2] : [1, 1, 1, 1, 2, 1, 2])]);
  const outShape = g.op('Mul', [g.op('Shape', [x]), g.ints(time ? [1, 1, 2, 2, 2] : [1, 1, 1, 2, 2])]);
  return g.op('Reshape', [expanded, outShape]);
}

/**
 * HunyuanVideoUpsampleCausal3D: nearest ×2 in H and W; when it also doubles time, the first frame is
 * upsampled in space only and every later frame is repeated twice (T → 2T − 1), then a causal conv.
 * Repeating every frame and dropping the first copy gives exactly that frame order.
 */
export function upsampleCausal(g: GraphBuilder, x: Value, prefix: string, channels: number, time: boolean): Value {
  let up = repeatNearest(g, x, time);
  if (time) up = g.op('Slice', [up, g.ints([1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([2])]);
  return causalConv3d(g, up, `${prefix}.conv`, channels, channels, 3);
}

/** HunyuanVideoDownsampleCausal3D: a causal 3×3×3 conv with stride 2 in H, W and (optionally) T. */
export function downsampleCausal(g: GraphBuilder, x: Value, prefix: string, channels: number, spatial: boolean, time: boolean): Value {
  return causalConv3d(g, x, `${prefix}.conv`, channels, channels, 3, [time ? 2 : 1, spatial ? 2 : 1, spatial ? 2 : 1]);
}
