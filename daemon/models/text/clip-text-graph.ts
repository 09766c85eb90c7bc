// The CLIP-L text encoder as an ONNX graph: input_ids [1, 77] + eos_index [1] → pooled [1, hidden]
// (FRAMEPACK.md §2.2). Token + position embeddings, pre-LN encoder layers under a causal mask, and
// the final LayerNorm taken at the pooling position only (LayerNorm is per token, so normalising
// one row equals normalising all and picking one).
//
// The pooling position is an input rather than an in-graph ArgMax: transformers' legacy rule
// (eos_token_id == 2 in the config) pools at argmax(input_ids), which for the official vocabulary is
// the first `<|endoftext|>` (49407, the largest id). Passing the first EOS position keeps that exact
// behaviour and also holds for tokenizers whose EOS is not the largest id (the tiny bundle's).
import { GraphBuilder } from '../../onnx/graph.js';
import { OnnxDataType } from '../../onnx/onnx-proto.js';
import { layerNorm } from '../../onnx/ops.js';
import type { WeightSource } from '../../weights/weight-source.js';
import type { BuildOptions } from '../component.js';
import { encoderLayer } from './clip-encoder-layer.js';
import { clipLayerShape, type ClipTextConfig } from './clip-text-config.js';

export const CLIP_TEXT_GRAPH_STEM = 'text_encoder_2';
export const CLIP_TEXT_INPUTS = { ids: 'input_ids', eosIndex: 'eos_index' } as const;
export const CLIP_TEXT_OUTPUT = 'pooled';

/**
 * The position CLIPTextModel pools at: the first occurrence of `eosTokenId`. Without one it falls
 * back to the legacy argmax of the ids (first maximum), as transformers would.
 */
export function clipPoolingIndex(ids: ArrayLike<number>, eosTokenId: number): number {
  let argmax = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === eosTokenId) return i;
    if (ids[i]! > ids[argmax]!) argmax = i;
  }
  return argmax;
}

/** Additive causal mask [S, S] as a constant (S is fixed at maxPositions). */
function causalMaskValues(s: number): number[] {
  const m = new Array<number>(s * s).fill(0);
  for (let i = 0; i < s; i++) for (let j = i + 1; j < s; j++) m[i * s + j] = -65504;
  return m;
}

/**
 * Builds `text_encoder_2`: `input_ids` int64 [1, maxPositions] (padded), `eos_index` int64 [1] →
 * `pooled` float32 [1, hiddenSize].
 */
export function buildClipTextGraph(c: ClipTextConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const g = new GraphBuilder(CLIP_TEXT_GRAPH_STEM, { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const S = c.maxPositions;
  const ids = g.input(CLIP_TEXT_INPUTS.ids, 'int64', [1, S]);
  const eosIndex = g.input(CLIP_TEXT_INPUTS.eosIndex, 'int64', [1]);
  const tokens = g.op('Gather', [g.weight('text_model.embeddings.token_embedding.weight', [c.vocabSize, c.hiddenSize]), ids], { axis: 0 });
  let h = g.op('Add', [tokens, g.weight('text_model.embeddings.position_embedding.weight', [S, c.hiddenSize])]);
  const mask = g.constant(g.weightDtype, [S, S], causalMaskValues(S));
  for (let i = 0; i < c.numLayers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    h = g.scope(p, () => encoderLayer(g, h, p, clipLayerShape(c), mask));
  }
  const row = g.op('Gather', [h, eosIndex], { axis: 1 }); // [1, 1, hidden]
  let pooled = g.op('Reshape', [layerNorm(g, row, 'text_model.final_layer_norm', c.hiddenSize, c.layerNormEps), g.ints([1, c.hiddenSize])]);
  if (g.weightDtype === 'float16') pooled = g.op('Cast', [pooled], { to: OnnxDataType.float32 });
  g.output(pooled, CLIP_TEXT_OUTPUT, 'float32', [1, c.hiddenSize]);
  return g;
}
