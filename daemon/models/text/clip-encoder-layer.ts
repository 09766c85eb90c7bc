// The pre-LayerNorm transformer encoder layer shared by CLIP's text tower and SigLIP's vision tower
// (both checkpoints name it `layer_norm1`, `self_attn.{q,k,v,out}_proj`, `layer_norm2`, `mlp.fc1/fc2`,
// all Linear layers with bias):  h += out_proj(attn(LN1(h)));  h += fc2(act(fc1(LN2(h)))).
import type { GraphBuilder, Value } from '../../onnx/graph.js';
import { attention, geluErf, geluTanh, layerNorm, linear, quickGelu, splitHeads } from '../../onnx/ops.js';

export type EncoderActivation = 'quick_gelu' | 'gelu_pytorch_tanh' | 'gelu';

export interface EncoderLayerShape {
  hiddenSize: number;
  numHeads: number;
  intermediateSize: number;
  layerNormEps: number;
  activation: EncoderActivation;
}

function activate(g: GraphBuilder, x: Value, act: EncoderActivation): Value {
  switch (act) {
    case 'quick_gelu': return quickGelu(g, x);
    case 'gelu_pytorch_tanh': return geluTanh(g, x);
    case 'gelu': return geluErf(g, x);
  }
}

/** One encoder layer named `prefix` on [B, S, hidden]; `mask` is an optional additive [S, S] mask. */
export function encoderLayer(g: GraphBuilder, h: Value, prefix: string, s: EncoderLayerShape, mask?: Value): Value {
  const { hiddenSize: hid, numHeads: heads } = s;
  const hd = hid / heads;
  const x = layerNorm(g, h, `${prefix}.layer_norm1`, hid, s.layerNormEps);
  const q = splitHeads(g, linear(g, x, `${prefix}.self_attn.q_proj`, hid, hid), heads, hd);
  const k = splitHeads(g, linear(g, x, `${prefix}.self_attn.k_proj`, hid, hid), heads, hd);
  const v = splitHeads(g, linear(g, x, `${prefix}.self_attn.v_proj`, hid, hid), heads, hd);
  const attn = attention(g, q, k, v, heads, hd, mask ? { value: mask, rank: 2 } : undefined);
  h = g.op('Add', [h, linear(g, attn, `${prefix}.self_attn.out_proj`, hid, hid)]);
  const y = layerNorm(g, h, `${prefix}.layer_norm2`, hid, s.layerNormEps);
  const mlp = linear(g, activate(g, linear(g, y, `${prefix}.mlp.fc1`, hid, s.intermediateSize), s.activation), `${prefix}.mlp.fc2`, s.intermediateSize, hid);
  return g.op('Add', [h, mlp]);
}

/** Checkpoint tensors of one encoder layer named `prefix`, in a stable order. */
export function encoderLayerShapes(prefix: string, s: EncoderLayerShape): [string, number[]][] {
  const { hiddenSize: hid, intermediateSize: inter } = s;
  const shapes: [string, number[]][] = [[`${prefix}.layer_norm1.weight`, [hid]], [`${prefix}.layer_norm1.bias`, [hid]]];
  for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
    shapes.push([`${prefix}.self_attn.${proj}.weight`, [hid, hid]], [`${prefix}.self_attn.${proj}.bias`, [hid]]);
  }
  shapes.push(
    [`${prefix}.layer_norm2.weight`, [hid]], [`${prefix}.layer_norm2.bias`, [hid]],
    [`${prefix}.mlp.fc1.weight`, [inter, hid]], [`${prefix}.mlp.fc1.bias`, [inter]],
    [`${prefix}.mlp.fc2.weight`, [hid, inter]], [`${prefix}.mlp.fc2.bias`, [hid]],
  );
  return shapes;
}
