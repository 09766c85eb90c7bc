// Every checkpoint tensor of `AutoencoderKLHunyuanVideo`, by its diffusers name. Causal convolutions
// wrap an nn.Conv3d as `.conv`, so their tensors are `<module>.conv.weight`; quant_conv and
// post_quant_conv are plain 1×1×1 Conv3d; the mid-block attention uses nn.Linear projections.
import { decoderBlocks, encoderBlocks, type VaeConfig } from './config.js';

type Shapes = [string, number[]][];

export const conv3dShapes = (prefix: string, inC: number, outC: number, k: number): Shapes => [
  [`${prefix}.weight`, [outC, inC, k, k, k]],
  [`${prefix}.bias`, [outC]],
];

const normShapes = (prefix: string, c: number): Shapes => [[`${prefix}.weight`, [c]], [`${prefix}.bias`, [c]]];

export function resnetShapes(prefix: string, inC: number, outC: number): Shapes {
  return [
    ...normShapes(`${prefix}.norm1`, inC),
    ...conv3dShapes(`${prefix}.conv1.conv`, inC, outC, 3),
    ...normShapes(`${prefix}.norm2`, outC),
    ...conv3dShapes(`${prefix}.conv2.conv`, outC, outC, 3),
    ...(inC !== outC ? conv3dShapes(`${prefix}.conv_shortcut.conv`, inC, outC, 1) : []),
  ];
}

function midBlockShapes(prefix: string, c: number, attention: boolean): Shapes {
  const attn = `${prefix}.attentions.0`;
  const linearShapes = (p: string): Shapes => [[`${p}.weight`, [c, c]], [`${p}.bias`, [c]]];
  return [
    ...(attention ? [
      ...normShapes(`${attn}.group_norm`, c),
      ...linearShapes(`${attn}.to_q`), ...linearShapes(`${attn}.to_k`), ...linearShapes(`${attn}.to_v`),
      ...linearShapes(`${attn}.to_out.0`),
    ] : []),
    ...resnetShapes(`${prefix}.resnets.0`, c, c),
    ...resnetShapes(`${prefix}.resnets.1`, c, c),
  ];
}

export function encoderShapes(c: VaeConfig): Shapes {
  const last = c.blockOutChannels.at(-1)!;
  const out: Shapes = [...conv3dShapes('encoder.conv_in.conv', c.inChannels, c.blockOutChannels[0]!, 3)];
  encoderBlocks(c).forEach((b, i) => {
    for (let j = 0; j < c.layersPerBlock; j++) {
      out.push(...resnetShapes(`encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? b.inChannels : b.outChannels, b.outChannels));
    }
    if (b.spatial || b.temporal) out.push(...conv3dShapes(`encoder.down_blocks.${i}.downsamplers.0.conv.conv`, b.outChannels, b.outChannels, 3));
  });
  out.push(...midBlockShapes('encoder.mid_block', last, c.midBlockAddAttention));
  out.push(...normShapes('encoder.conv_norm_out', last));
  out.push(...conv3dShapes('encoder.conv_out.conv', last, 2 * c.latentChannels, 3));
  out.push(...conv3dShapes('quant_conv', 2 * c.latentChannels, 2 * c.latentChannels, 1));
  return out;
}

export function decoderShapes(c: VaeConfig): Shapes {
  const last = c.blockOutChannels.at(-1)!;
  const out: Shapes = [...conv3dShapes('post_quant_conv', c.latentChannels, c.latentChannels, 1)];
  out.push(...conv3dShapes('decoder.conv_in.conv', c.latentChannels, last, 3));
  out.push(...midBlockShapes('decoder.mid_block', last, c.midBlockAddAttention));
  decoderBlocks(c).forEach((b, i) => {
    // Up blocks carry one resnet more than the encoder's down blocks.
    for (let j = 0; j <= c.layersPerBlock; j++) {
      out.push(...resnetShapes(`decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? b.inChannels : b.outChannels, b.outChannels));
    }
    if (b.spatial || b.temporal) out.push(...conv3dShapes(`decoder.up_blocks.${i}.upsamplers.0.conv.conv`, b.outChannels, b.outChannels, 3));
  });
  out.push(...normShapes('decoder.conv_norm_out', c.blockOutChannels[0]!));
  out.push(...conv3dShapes('decoder.conv_out.conv', c.blockOutChannels[0]!, c.outChannels, 3));
  return out;
}

/** All tensors of the checkpoint: encoder (with quant_conv), then decoder (with post_quant_conv). */
export const vaeParameterShapes = (c: VaeConfig): Shapes => [...encoderShapes(c), ...decoderShapes(c)];
