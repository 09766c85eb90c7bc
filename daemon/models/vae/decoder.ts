// The `vae_decoder` graph: post_quant_conv followed by HunyuanVideoDecoder3D. It takes UNSCALED
// latents (the pipeline divides by config.scalingFactor first, FRAMEPACK.md §4.3) and any number of
// latent frames; long clips go through temporal-tiling.ts, which calls it on 5-latent tiles.
import { GraphBuilder, type AttentionForm, type Value } from '../../onnx/graph.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { decoderBlocks, type VaeConfig } from './config.js';
import { causalConv3d, midBlock, normSilu, pointwiseConv3d, resnetBlock, upsampleCausal } from './layers.js';

function decoderTrunk(g: GraphBuilder, z: Value, c: VaeConfig): Value {
  const groups = c.normNumGroups;
  const last = c.blockOutChannels.at(-1)!;
  let h = pointwiseConv3d(g, z, 'post_quant_conv', c.latentChannels, c.latentChannels);
  h = causalConv3d(g, h, 'decoder.conv_in', c.latentChannels, last, 3);
  h = midBlock(g, h, 'decoder.mid_block', last, groups, c.midBlockAddAttention);
  decoderBlocks(c).forEach((b, i) => {
    const prefix = `decoder.up_blocks.${i}`;
    for (let j = 0; j <= c.layersPerBlock; j++) {
      h = resnetBlock(g, h, `${prefix}.resnets.${j}`, j === 0 ? b.inChannels : b.outChannels, b.outChannels, groups);
    }
    if (b.spatial || b.temporal) h = upsampleCausal(g, h, `${prefix}.upsamplers.0`, b.outChannels, b.temporal);
  });
  const first = c.blockOutChannels[0]!;
  return causalConv3d(g, normSilu(g, h, 'decoder.conv_norm_out', groups, first), 'decoder.conv_out', first, c.outChannels, 3);
}

/**
 * latents float32 [B, 16, T, h, w] (unscaled) → pixels float32 [B, 3, 4T − 3, 8h, 8w], roughly in
 * [-1, 1] (not clamped).
 */
export function buildVaeDecoder(c: VaeConfig, weights: WeightSource, weightDtype: 'float32' | 'float16' = 'float32',
  attention: AttentionForm = 'explicit'): GraphBuilder {
  const g = new GraphBuilder('vae_decoder', { weights, weightDtype, attention });
  const latents = g.input('latents', 'float32', ['batch', c.latentChannels, 'latent_frames', 'latent_height', 'latent_width']);
  const z = weightDtype === 'float32' ? latents : g.op('Cast', [latents], { to: 10 });
  const out = decoderTrunk(g, z, c);
  g.output(weightDtype === 'float32' ? out : g.op('Cast', [out], { to: 1 }), 'pixels', 'float32',
    ['batch', c.outChannels, 'frames', 'height', 'width']);
  g.assertWeightsMatch();
  return g;
}
