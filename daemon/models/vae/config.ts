// Configuration of HunyuanVideo's causal 3D VAE (`AutoencoderKLHunyuanVideo`, FRAMEPACK.md §4.1):
// the zod schema, the official full size, the tiny size of the default bundle, and the per-block
// layout (which blocks halve space and which halve time) that both graphs and the parameter list use.
import { z } from 'zod';

export const vaeConfigSchema = z.object({
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  latentChannels: z.number().int().positive(),
  blockOutChannels: z.array(z.number().int().positive()).min(1),
  layersPerBlock: z.number().int().positive(),
  normNumGroups: z.number().int().positive(),
  /** Multiply the posterior mean by this before the transformer; divide latents by it before decoding. */
  scalingFactor: z.number().positive(),
  spatialCompressionRatio: z.number().int().positive(),
  temporalCompressionRatio: z.literal(4),
  midBlockAddAttention: z.boolean(),
}).superRefine((c, ctx) => {
  const spatialLayers = Math.log2(c.spatialCompressionRatio);
  if (!Number.isInteger(spatialLayers) || spatialLayers > c.blockOutChannels.length - 1) {
    ctx.addIssue({ code: 'custom', message: `spatialCompressionRatio ${c.spatialCompressionRatio} needs a power of two ≤ 2^${c.blockOutChannels.length - 1}` });
  }
  if (c.blockOutChannels.length < 4) {
    ctx.addIssue({ code: 'custom', message: 'temporal compression 4 needs at least 4 blocks' });
  }
  for (const ch of c.blockOutChannels) {
    if (ch % c.normNumGroups !== 0) ctx.addIssue({ code: 'custom', message: `channels ${ch} not divisible by normNumGroups ${c.normNumGroups}` });
  }
});

export type VaeConfig = z.infer<typeof vaeConfigSchema>;

/** The official `hunyuanvideo-community/HunyuanVideo` vae/config.json (FRAMEPACK.md §4.1). */
export const fullVaeConfig: VaeConfig = {
  inChannels: 3,
  outChannels: 3,
  latentChannels: 16,
  blockOutChannels: [128, 256, 512, 512],
  layersPerBlock: 2,
  normNumGroups: 32,
  scalingFactor: 0.476986,
  spatialCompressionRatio: 8,
  temporalCompressionRatio: 4,
  midBlockAddAttention: true,
};

/** The default bundle's VAE: same latent geometry and compression, narrow and shallow. */
export const tinyVaeConfig: VaeConfig = {
  ...fullVaeConfig,
  blockOutChannels: [16, 32, 32, 32],
  layersPerBlock: 1,
  normNumGroups: 8,
};

/** Maps an official diffusers config.json (snake_case) onto our schema; validates it. */
export function vaeConfigFromDiffusers(raw: Record<string, unknown>): VaeConfig {
  const get = (key: string, fallback: unknown) => (raw[key] === undefined ? fallback : raw[key]);
  return vaeConfigSchema.parse({
    inChannels: get('in_channels', 3),
    outChannels: get('out_channels', 3),
    latentChannels: get('latent_channels', 16),
    blockOutChannels: get('block_out_channels', [128, 256, 512, 512]),
    layersPerBlock: get('layers_per_block', 2),
    normNumGroups: get('norm_num_groups', 32),
    scalingFactor: get('scaling_factor', 0.476986),
    spatialCompressionRatio: get('spatial_compression_ratio', 8),
    temporalCompressionRatio: get('temporal_compression_ratio', 4),
    midBlockAddAttention: get('mid_block_add_attention', true),
  });
}

/** What one encoder down block (or the matching decoder up block) does to its input. */
export interface BlockLayout {
  inChannels: number;
  outChannels: number;
  /** Halves (encoder) or doubles (decoder) H and W. */
  spatial: boolean;
  /** Halves (encoder, causal: 1+2k → 1+k) or doubles (decoder, 1+k → 1+2k) the frame count. */
  temporal: boolean;
}

/**
 * Encoder down blocks in order. The first log2(spatial) blocks halve space; with temporal ratio 4
 * the two blocks just before the last halve time; the last block never resamples.
 */
export function encoderBlocks(c: VaeConfig): BlockLayout[] {
  const n = c.blockOutChannels.length;
  const spatialLayers = Math.log2(c.spatialCompressionRatio);
  const timeLayers = Math.log2(c.temporalCompressionRatio);
  return c.blockOutChannels.map((out, i) => ({
    inChannels: i === 0 ? c.blockOutChannels[0]! : c.blockOutChannels[i - 1]!,
    outChannels: out,
    spatial: i < spatialLayers,
    temporal: i >= n - 1 - timeLayers && i !== n - 1,
  }));
}

/** Decoder up blocks in order (channels reversed); same index rule as the encoder, mirrored. */
export function decoderBlocks(c: VaeConfig): BlockLayout[] {
  const rev = [...c.blockOutChannels].reverse();
  const n = rev.length;
  const spatialLayers = Math.log2(c.spatialCompressionRatio);
  const timeLayers = Math.log2(c.temporalCompressionRatio);
  return rev.map((out, i) => ({
    inChannels: i === 0 ? rev[0]! : rev[i - 1]!,
    outChannels: out,
    spatial: i < spatialLayers,
    temporal: i >= n - 1 - timeLayers && i !== n - 1,
  }));
}

/** Latent frames for a pixel clip of 1 + 4k frames, and back. */
export const latentFrames = (pixelFrames: number): number => Math.floor((pixelFrames - 1) / 4) + 1;
export const pixelFrames = (latentFrameCount: number): number => 4 * (latentFrameCount - 1) + 1;
