// The transformer's dual-stream (HunyuanVideoTransformerBlock) and single-stream
// (HunyuanVideoSingleTransformerBlock) blocks. Image-side tokens come first in every joint
// sequence; RoPE applies to their q/k only (after the per-head RMSNorm).
import type { GraphBuilder, Value } from '../../onnx/graph.js';
import { attention, geluTanh, linear, splitHeads } from '../../onnx/ops.js';
import { applyRope, axisLength, headRmsNorm, modulate, modulationChunks, plainLayerNorm, splitAt } from './layers.js';

export interface BlockDims { hidden: number; heads: number; headDim: number; mlp: number }

export interface Rope { cos: Value; sin: Value }

/** q/k/v projections named `names` → [1, heads, S, D], with RMSNorm on q and k. */
function qkv(g: GraphBuilder, x: Value, p: string, d: BlockDims, names: [string, string, string], norms: [string, string]): [Value, Value, Value] {
  const proj = (n: string) => splitHeads(g, linear(g, x, `${p}.attn.${n}`, d.hidden, d.hidden), d.heads, d.headDim);
  const q = headRmsNorm(g, proj(names[0]), `${p}.attn.${norms[0]}.weight`, d.headDim);
  const k = headRmsNorm(g, proj(names[1]), `${p}.attn.${norms[1]}.weight`, d.headDim);
  return [q, k, proj(names[2])];
}

/** FeedForward(gelu-approximate): net.0.proj → GELU(tanh) → net.2. */
function feedForward(g: GraphBuilder, x: Value, prefix: string, d: BlockDims): Value {
  return linear(g, geluTanh(g, linear(g, x, `${prefix}.net.0.proj`, d.hidden, d.mlp)), `${prefix}.net.2`, d.mlp, d.hidden);
}

/**
 * The image-side modulated input of a dual block's norm1 (AdaLayerNormZero): LN(x)·(1+scale_msa)+shift_msa.
 * Also TeaCache's signal when taken from block 0.
 */
export function dualNorm1(g: GraphBuilder, x: Value, temb: Value, prefix: string, hidden: number): { normed: Value; mods: Value[] } {
  const mods = modulationChunks(g, temb, `${prefix}.linear`, hidden, 6); // shift, scale, gate (msa), shift, scale, gate (mlp)
  return { normed: modulate(g, plainLayerNorm(g, x, hidden), mods[0]!, mods[1]!), mods };
}

/** One dual-stream block on image tokens `x` [1, Si, hidden] and text tokens `c` [1, St, hidden]. */
export function dualBlock(g: GraphBuilder, i: number, x: Value, c: Value, temb: Value, rope: Rope, d: BlockDims): [Value, Value] {
  const p = `transformer_blocks.${i}`;
  return g.scope(p, () => {
    const img = dualNorm1(g, x, temb, `${p}.norm1`, d.hidden);
    const txt = dualNorm1(g, c, temb, `${p}.norm1_context`, d.hidden);
    const [qi, ki, vi] = qkv(g, img.normed, p, d, ['to_q', 'to_k', 'to_v'], ['norm_q', 'norm_k']);
    const [qt, kt, vt] = qkv(g, txt.normed, p, d, ['add_q_proj', 'add_k_proj', 'add_v_proj'], ['norm_added_q', 'norm_added_k']);
    const cat = (a: Value, b: Value) => g.op('Concat', [a, b], { axis: 2 });
    const q = cat(applyRope(g, qi, rope.cos, rope.sin, d.headDim), qt);
    const k = cat(applyRope(g, ki, rope.cos, rope.sin, d.headDim), kt);
    const attn = attention(g, q, k, cat(vi, vt), d.heads, d.headDim);
    const [attnImg, attnTxt] = splitAt(g, attn, 1, axisLength(g, x, 1));
    const outImg = linear(g, attnImg, `${p}.attn.to_out.0`, d.hidden, d.hidden);
    const outTxt = linear(g, attnTxt, `${p}.attn.to_add_out`, d.hidden, d.hidden);

    const stream = (h: Value, out: Value, mods: Value[], ff: string): Value => {
      const [, , gateMsa, shiftMlp, scaleMlp, gateMlp] = mods;
      const h1 = g.op('Add', [h, g.op('Mul', [out, gateMsa!])]);
      const n2 = modulate(g, plainLayerNorm(g, h1, d.hidden), shiftMlp!, scaleMlp!);
      return g.op('Add', [h1, g.op('Mul', [gateMlp!, feedForward(g, n2, ff, d)])]);
    };
    return [stream(x, outImg, img.mods, `${p}.ff`), stream(c, outTxt, txt.mods, `${p}.ff_context`)];
  });
}

/**
 * One single-stream block on the joint sequence `xc` = [image ; text] ([1, Si+St, hidden]); `imageLen`
 * is Si as a 1-D int64 [1]. Returns the joint sequence (the official code splits and re-joins it
 * around every block, which changes nothing).
 */
export function singleBlock(g: GraphBuilder, i: number, xc: Value, imageLen: Value, temb: Value, rope: Rope, d: BlockDims): Value {
  const p = `single_transformer_blocks.${i}`;
  return g.scope(p, () => {
    const [shift, scale, gate] = modulationChunks(g, temb, `${p}.norm.linear`, d.hidden, 3);
    const n = modulate(g, plainLayerNorm(g, xc, d.hidden), shift!, scale!);
    const mlp = geluTanh(g, linear(g, n, `${p}.proj_mlp`, d.hidden, d.mlp));
    const [q, k, v] = qkv(g, n, p, d, ['to_q', 'to_k', 'to_v'], ['norm_q', 'norm_k']);
    const roped = (t: Value) => {
      const [img, txt] = splitAt(g, t, 2, imageLen);
      return g.op('Concat', [applyRope(g, img, rope.cos, rope.sin, d.headDim), txt], { axis: 2 });
    };
    const attn = attention(g, roped(q), roped(k), v, d.heads, d.headDim);
    const out = linear(g, g.op('Concat', [attn, mlp], { axis: -1 }), `${p}.proj_out`, d.hidden + d.mlp, d.hidden);
    return g.op('Add', [xc, g.op('Mul', [gate!, out])]);
  });
}
