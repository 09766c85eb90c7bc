// Configuration of FramePack's packed HunyuanVideo transformer
// (`HunyuanVideoTransformer3DModelPacked`), with the official full size (FRAMEPACK.md §1.1) and the
// tiny size of the default bundle. Keys follow the official config.json in camelCase.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const transformerConfigSchema = z.object({
  inChannels: positiveInt,
  outChannels: positiveInt,
  numAttentionHeads: positiveInt,
  attentionHeadDim: positiveInt,
  /** Dual-stream (MMDiT-style) blocks. */
  numLayers: z.number().int().nonnegative(),
  /** Single-stream blocks. */
  numSingleLayers: z.number().int().nonnegative(),
  /** Text token-refiner blocks inside context_embedder. */
  numRefinerLayers: z.number().int().nonnegative(),
  mlpRatio: z.number().positive(),
  patchSize: positiveInt,
  patchSizeT: positiveInt,
  qkNorm: z.literal('rms_norm'),
  guidanceEmbeds: z.boolean(),
  /** Llama hidden size feeding the token refiner. */
  textEmbedDim: positiveInt,
  /** CLIP-L pooled output size. */
  pooledProjectionDim: positiveInt,
  ropeTheta: z.number().positive(),
  /** RoPE channels for the (t, y, x) axes; they sum to attentionHeadDim and are each even. */
  ropeAxesDim: z.tuple([positiveInt, positiveInt, positiveInt]),
  hasImageProj: z.literal(true),
  /** SigLIP hidden size feeding image_projection. */
  imageProjDim: positiveInt,
  hasCleanXEmbedder: z.literal(true),
}).refine((c) => c.ropeAxesDim.reduce((a, b) => a + b, 0) === c.attentionHeadDim, {
  message: 'ropeAxesDim must sum to attentionHeadDim',
}).refine((c) => c.ropeAxesDim.every((d) => d % 2 === 0), {
  message: 'every ropeAxesDim entry must be even',
}).refine((c) => Number.isInteger(c.numAttentionHeads * c.attentionHeadDim * c.mlpRatio), {
  message: 'hidden size × mlpRatio must be an integer',
});

export type TransformerConfig = z.infer<typeof transformerConfigSchema>;

/** FramePackI2V_HY and FramePack_F1_I2V_HY_20250503 (same class, same config). */
export const fullTransformerConfig: TransformerConfig = {
  inChannels: 16,
  outChannels: 16,
  numAttentionHeads: 24,
  attentionHeadDim: 128,
  numLayers: 20,
  numSingleLayers: 40,
  numRefinerLayers: 2,
  mlpRatio: 4,
  patchSize: 2,
  patchSizeT: 1,
  qkNorm: 'rms_norm',
  guidanceEmbeds: true,
  textEmbedDim: 4096,
  pooledProjectionDim: 768,
  ropeTheta: 256,
  ropeAxesDim: [16, 56, 56],
  hasImageProj: true,
  imageProjDim: 1152,
  hasCleanXEmbedder: true,
};

/**
 * The default bundle's transformer. The encoder-facing sizes (textEmbedDim 64, pooledProjectionDim
 * 32, imageProjDim 48) are fixed: the tiny text and image encoders are built to produce them.
 */
export const tinyTransformerConfig: TransformerConfig = {
  inChannels: 16,
  outChannels: 16,
  numAttentionHeads: 2,
  attentionHeadDim: 32,
  numLayers: 2,
  numSingleLayers: 2,
  numRefinerLayers: 2,
  mlpRatio: 4,
  patchSize: 2,
  patchSizeT: 1,
  qkNorm: 'rms_norm',
  guidanceEmbeds: true,
  textEmbedDim: 64,
  pooledProjectionDim: 32,
  ropeTheta: 256,
  ropeAxesDim: [8, 12, 12],
  hasImageProj: true,
  imageProjDim: 48,
  hasCleanXEmbedder: true,
};

/** Sizes derived from a config that every graph needs. */
export function transformerDims(c: TransformerConfig) {
  const hidden = c.numAttentionHeads * c.attentionHeadDim;
  return {
    hidden,
    heads: c.numAttentionHeads,
    headDim: c.attentionHeadDim,
    mlp: Math.round(hidden * c.mlpRatio),
    /** Channels per output token before unpatchify: (c, pt, ph, pw). */
    patchOut: c.patchSizeT * c.patchSize * c.patchSize * c.outChannels,
  };
}

/** Kernel (= stride) of the clean-latent patchifiers, fixed by the architecture. */
export const CLEAN_KERNELS = {
  proj: [1, 2, 2],
  proj_2x: [2, 4, 4],
  proj_4x: [4, 8, 8],
} as const;
/** Channels of the sinusoidal timestep/guidance projection (diffusers `Timesteps(256, …)`). */
export const TIME_PROJ_DIM = 256;
