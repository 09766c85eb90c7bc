// The SigLIP vision tower as an ONNX graph: pixel_values [1, C, S, S] (already in [−1, 1]) →
// last_hidden_state [1, ⌊S/p⌋², hidden] (FRAMEPACK.md §3.3): a stride-p patch convolution, learned
// position embeddings, pre-LN encoder layers without a mask, then post_layernorm.
import { GraphBuilder } from '../../onnx/graph.js';
import { OnnxDataType } from '../../onnx/onnx-proto.js';
import { layerNorm } from '../../onnx/ops.js';
import type { WeightSource } from '../../weights/weight-source.js';
import type { BuildOptions } from '../component.js';
import { encoderLayer } from '../text/clip-encoder-layer.js';
import { siglipLayerShape, siglipNumPatches, type SiglipConfig } from './siglip-config.js';

export const SIGLIP_GRAPH_STEM = 'image_encoder';
export const SIGLIP_INPUT = 'pixel_values';
export const SIGLIP_OUTPUT = 'last_hidden_state';

/** Builds `image_encoder`: `pixel_values` float32 [1, C, S, S] → `last_hidden_state` float32 [1, tokens, hidden]. */
export function buildSiglipGraph(c: SiglipConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const g = new GraphBuilder(SIGLIP_GRAPH_STEM, { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const { hiddenSize: hid, patchSize: p, imageSize: S } = c;
  const tokens = siglipNumPatches(c);
  let pixels = g.input(SIGLIP_INPUT, 'float32', [1, c.numChannels, S, S]);
  if (g.weightDtype === 'float16') pixels = g.op('Cast', [pixels], { to: OnnxDataType.float16 });
  const patches = g.op('Conv', [
    pixels,
    g.weight('vision_model.embeddings.patch_embedding.weight', [hid, c.numChannels, p, p]),
    g.weight('vision_model.embeddings.patch_embedding.bias', [hid]),
  ], { kernel_shape: [p, p], strides: [p, p] }); // [1, hid, ⌊S/p⌋, ⌊S/p⌋], no padding
  // Row-major flatten of the patch grid, as torch's flatten(2).transpose(1, 2).
  const seq = g.op('Transpose', [g.op('Reshape', [patches, g.ints([0, hid, tokens])])], { perm: [0, 2, 1] });
  let h = g.op('Add', [seq, g.weight('vision_model.embeddings.position_embedding.weight', [tokens, hid])]);
  for (let i = 0; i < c.numLayers; i++) {
    const prefix = `vision_model.encoder.layers.${i}`;
    h = g.scope(prefix, () => encoderLayer(g, h, prefix, siglipLayerShape(c)));
  }
  h = layerNorm(g, h, 'vision_model.post_layernorm', hid, c.layerNormEps);
  if (g.weightDtype === 'float16') h = g.op('Cast', [h], { to: OnnxDataType.float32 });
  g.output(h, SIGLIP_OUTPUT, 'float32', [1, tokens, hid]);
  return g;
}
