// Maps each official folder's config.json (diffusers / transformers snake_case) onto our
// architecture configs, using the definitions' own mappers where they exist. The packed
// transformer has none in daemon/models/transformer, so it is mapped here from
// HunyuanVideoTransformer3DModelPacked's constructor arguments (diffusers_helper/models/
// hunyuan_video_packed.py), refusing configs our graphs do not implement.
import { z } from 'zod';
import type { ModelComponentId } from '../bundle/manifest.js';
import { transformerConfigSchema, type TransformerConfig } from '../transformer/config.js';
import { vaeConfigFromDiffusers } from '../vae/config.js';
import { clipTextConfigFromHf, llamaConfigFromHf } from '../text/index.js';
import { siglipConfigFromHf } from '../image/index.js';

/** FramePackI2V_HY / FramePack_F1_I2V_HY config.json → TransformerConfig. */
export function transformerConfigFromDiffusers(raw: Record<string, unknown>): TransformerConfig {
  const hf = z.object({
    _class_name: z.string().optional(),
    in_channels: z.number().default(16), out_channels: z.number().nullable().default(null),
    num_attention_heads: z.number().default(24), attention_head_dim: z.number().default(128),
    num_layers: z.number().default(20), num_single_layers: z.number().default(40), num_refiner_layers: z.number().default(2),
    mlp_ratio: z.number().default(4), patch_size: z.number().default(2), patch_size_t: z.number().default(1),
    qk_norm: z.literal('rms_norm').default('rms_norm'), guidance_embeds: z.boolean().default(true),
    text_embed_dim: z.number().default(4096), pooled_projection_dim: z.number().default(768),
    rope_theta: z.number().default(256), rope_axes_dim: z.array(z.number()).length(3).default([16, 56, 56]),
    has_image_proj: z.literal(true, { message: 'has_image_proj must be true (FramePack I2V transformers have an image projection)' }),
    image_proj_dim: z.number().default(1152),
    has_clean_x_embedder: z.literal(true, { message: 'has_clean_x_embedder must be true (this is not a FramePack packed transformer)' }),
  }).parse(raw);
  return transformerConfigSchema.parse({
    // The constructor's `out_channels = out_channels or in_channels`.
    inChannels: hf.in_channels, outChannels: hf.out_channels ?? hf.in_channels, numAttentionHeads: hf.num_attention_heads,
    attentionHeadDim: hf.attention_head_dim, numLayers: hf.num_layers, numSingleLayers: hf.num_single_layers,
    numRefinerLayers: hf.num_refiner_layers, mlpRatio: hf.mlp_ratio, patchSize: hf.patch_size, patchSizeT: hf.patch_size_t,
    qkNorm: hf.qk_norm, guidanceEmbeds: hf.guidance_embeds, textEmbedDim: hf.text_embed_dim,
    pooledProjectionDim: hf.pooled_projection_dim, ropeTheta: hf.rope_theta, ropeAxesDim: hf.rope_axes_dim,
    hasImageProj: hf.has_image_proj, imageProjDim: hf.image_proj_dim, hasCleanXEmbedder: hf.has_clean_x_embedder,
  });
}

/** flux_redux_bfl's image_encoder/config.json is a SiglipVisionConfig; a full SiglipConfig nests it. */
function siglipFrom(raw: Record<string, unknown>) {
  const nested = raw.vision_config;
  return siglipConfigFromHf(nested && typeof nested === 'object' ? (nested as Record<string, unknown>) : raw);
}

export function configFromOfficial(id: ModelComponentId, raw: Record<string, unknown>): unknown {
  switch (id) {
    case 'transformer': return transformerConfigFromDiffusers(raw);
    case 'vae': return vaeConfigFromDiffusers(raw);
    case 'text_encoder': return llamaConfigFromHf(raw);
    case 'text_encoder_2': return clipTextConfigFromHf(raw);
    case 'image_encoder': return siglipFrom(raw);
  }
}
