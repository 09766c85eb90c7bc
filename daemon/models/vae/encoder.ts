// The `vae_encoder` graph: HunyuanVideoEncoder3D followed by quant_conv, returning the diagonal
// Gaussian posterior's mean and (clamped) log-variance. No scaling is applied inside: the pipeline
// multiplies `mean` by config.scalingFactor (FRAMEPACK.md §4.2, deterministic stand-in for sample()).
import { GraphBuilder, type AttentionForm, type Value } from '../../onnx/graph.js';
import { chunk } from '../../onnx/ops.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { encoderBlocks, type VaeConfig } from './config.js';
import { causalConv3d, downsampleCausal, midBlock, normSilu, pointwiseConv3d, resnetBlock } from './layers.js';

/** The diffusers DiagonalGaussianDistribution clamps log-variance to this range. */
export const LOGVAR_RANGE: [number, number] = [-30, 20];

function encoderTrunk(g: GraphBuilder, x: Value, c: VaeConfig): Value {
  const groups = c.normNumGroups;
  const last = c.blockOutChannels.at(-1)!;
  let h = causalConv3d(g, x, 'encoder.conv_in', c.inChannels, c.blockOutChannels[0]!, 3);
  encoderBlocks(c).forEach((b, i) => {
    const prefix = `encoder.down_blocks.${i}`;
    for (let j = 0; j < c.layersPerBlock; j++) {
      h = resnetBlock(g, h, `${prefix}.resnets.${j}`, j === 0 ? b.inChannels : b.outChannels, b.outChannels, groups);
    }
    if (b.spatial || b.temporal) h = downsampleCausal(g, h, `${prefix}.downsamplers.0`, b.outChannels, b.spatial, b.temporal);
  });
  h = midBlock(g, h, 'encoder.mid_block', last, groups, c.midBlockAddAttention);
  h = causalConv3d(g, normSilu(g, h, 'encoder.conv_norm_out', groups, last), 'encoder.conv_out', last, 2 * c.latentChannels, 3);
  return pointwiseConv3d(g, h, 'quant_conv', 2 * c.latentChannels, 2 * c.latentChannels);
}

/**
 * pixels float32 [B, 3, T, H, W] in [-1, 1], T = 1 + 4k, H and W multiples of 8 →
 * mean, logvar float32 [B, 16, 1 + k, H/8, W/8] (unscaled).
 */
export function buildVaeEncoder(c: VaeConfig, weights: WeightSource, weightDtype: 'float32' | 'float16' = 'float32',
  attention: AttentionForm = 'explicit'): GraphBuilder {
  const g = new GraphBuilder('vae_encoder', { weights, weightDtype, attention });
  const pixels = g.input('pixels', 'float32', ['batch', c.inChannels, 'frames', 'height', 'width']);
  const x = weightDtype === 'float32' ? pixels : g.op('Cast', [pixels], { to: 10 });
  const [mean, rawLogvar] = chunk(g, encoderTrunk(g, x, c), 2, 1) as [Value, Value];
  const logvar = g.op('Clip', [rawLogvar, g.scalar(LOGVAR_RANGE[0]), g.scalar(LOGVAR_RANGE[1])]);
  const asF32 = (v: Value) => (weightDtype === 'float32' ? v : g.op('Cast', [v], { to: 1 }));
  const latentDims = ['batch', c.latentChannels, 'latent_frames', 'latent_height', 'latent_width'];
  g.output(asF32(mean), 'mean', 'float32', latentDims);
  g.output(asF32(logvar), 'logvar', 'float32', latentDims);
  g.assertWeightsMatch();
  return g;
}
