// Writes tiny checkpoints in the official distribution layout (FramePackI2V_HY with sharded
// safetensors + index, HunyuanVideo's vae/ text_encoder/ text_encoder_2/ tokenizer/ tokenizer_2/,
// flux_redux_bfl's image_encoder/), with config.json in the official snake_case form and the
// official tensor names, from the same seeded weights as the seeded bundle (scripts/seeded-bundle.ts). Used by the import,
// pull and doctor tests; the tokenizers come from models/tokenizers-src.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComponentDefinitions } from '../bundle/bundle-config.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../bundle/manifest.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { convertFloatBytes } from '../../weights/float-convert.js';
import { openWeights, writeSafetensors, type TensorToWrite } from '../../weights/safetensors.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { defaultInit, seededWeights } from '../../weights/seeded.js';
import type { TransformerConfig } from '../transformer/config.js';
import type { VaeConfig } from '../vae/config.js';
import type { ClipTextConfig, LlamaConfig } from '../text/index.js';
import type { SiglipConfig } from '../image/index.js';

/** Same seed as scripts/seeded-bundle.ts, so an fp32 import reproduces the seeded bundle's graphs. */
export const TINY_SEED = 20250503;

/** Our config → the official config.json (the inverse of the importer's mappers). */
export function officialConfigJson(id: ModelComponentId, config: unknown): Record<string, unknown> {
  switch (id) {
    case 'transformer': {
      const c = config as TransformerConfig;
      return {
        _class_name: 'HunyuanVideoTransformer3DModelPacked', _diffusers_version: '0.33.0.dev0',
        attention_head_dim: c.attentionHeadDim, guidance_embeds: c.guidanceEmbeds, has_clean_x_embedder: c.hasCleanXEmbedder,
        has_image_proj: c.hasImageProj, image_proj_dim: c.imageProjDim, in_channels: c.inChannels, mlp_ratio: c.mlpRatio,
        num_attention_heads: c.numAttentionHeads, num_layers: c.numLayers, num_refiner_layers: c.numRefinerLayers,
        num_single_layers: c.numSingleLayers, out_channels: c.outChannels, patch_size: c.patchSize, patch_size_t: c.patchSizeT,
        pooled_projection_dim: c.pooledProjectionDim, qk_norm: c.qkNorm, rope_axes_dim: c.ropeAxesDim, rope_theta: c.ropeTheta,
        text_embed_dim: c.textEmbedDim,
      };
    }
    case 'vae': {
      const c = config as VaeConfig;
      return {
        _class_name: 'AutoencoderKLHunyuanVideo', act_fn: 'silu', block_out_channels: c.blockOutChannels, in_channels: c.inChannels,
        latent_channels: c.latentChannels, layers_per_block: c.layersPerBlock, mid_block_add_attention: c.midBlockAddAttention,
        norm_num_groups: c.normNumGroups, out_channels: c.outChannels, scaling_factor: c.scalingFactor,
        spatial_compression_ratio: c.spatialCompressionRatio, temporal_compression_ratio: c.temporalCompressionRatio,
      };
    }
    case 'text_encoder': {
      const c = config as LlamaConfig;
      return {
        architectures: ['LlamaModel'], model_type: 'llama', attention_bias: false, hidden_act: 'silu', mlp_bias: false,
        hidden_size: c.hiddenSize, num_hidden_layers: c.numLayers, num_attention_heads: c.numHeads, num_key_value_heads: c.numKvHeads,
        head_dim: c.headDim, intermediate_size: c.intermediateSize, vocab_size: c.vocabSize, rope_theta: c.ropeTheta,
        rms_norm_eps: c.rmsNormEps, rope_scaling: null, torch_dtype: 'float16',
      };
    }
    case 'text_encoder_2': {
      const c = config as ClipTextConfig;
      return {
        architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_size: c.hiddenSize, num_hidden_layers: c.numLayers,
        num_attention_heads: c.numHeads, intermediate_size: c.intermediateSize, max_position_embeddings: c.maxPositions,
        vocab_size: c.vocabSize, layer_norm_eps: c.layerNormEps, hidden_act: c.hiddenAct, projection_dim: c.hiddenSize,
      };
    }
    case 'image_encoder': {
      const c = config as SiglipConfig;
      return {
        architectures: ['SiglipVisionModel'], model_type: 'siglip_vision_model', hidden_size: c.hiddenSize,
        num_hidden_layers: c.numLayers, num_attention_heads: c.numHeads, intermediate_size: c.intermediateSize,
        image_size: c.imageSize, patch_size: c.patchSize, num_channels: c.numChannels, layer_norm_eps: c.layerNormEps, hidden_act: c.hiddenAct,
      };
    }
  }
}

export interface TinyOfficialOptions {
  definitions: ComponentDefinitions;
  /** Stored dtype of the checkpoints (the official ones are bf16; fp32 reproduces the default bundle exactly). */
  dtype?: 'float32' | 'bfloat16';
  /** Change tensors after seeding: return null to leave a tensor out, or another shape to mismatch it. */
  tamper?: (component: ModelComponentId, name: string, shape: number[]) => number[] | null;
  /** Write tokenizer_2 as vocab.json + merges.txt (the official form) instead of tokenizer.json. */
  clipVocabMerges?: boolean;
  /** Take these components' tensors from safetensors files with official names (e.g. the trained
   *  models/framepack-tiny-weights/) instead of seeding them. */
  weightFiles?: Partial<Record<ModelComponentId, string>>;
  /** Fields laid over the tiny VAE config before it is written as config.json (e.g. the trained
   *  default's scalingFactor and normNumGroups). */
  vaeConfig?: Partial<VaeConfig>;
  /** Fields laid over the tiny transformer config (e.g. the trained default's 4-channel in/out). */
  transformerConfig?: Partial<TransformerConfig>;
}

/** The default bundle's own weights (trained VAE and transformer in models/framepack-tiny-weights,
 *  seeded encoders) in the official layout: importing them must rebuild models/framepack-tiny. */
export async function defaultBundleOfficialOptions(): Promise<Pick<TinyOfficialOptions, 'weightFiles' | 'vaeConfig' | 'transformerConfig'>> {
  const dir = path.join(REPO_MODELS_DIR, 'framepack-tiny-weights');
  const card = JSON.parse(await readFile(path.join(dir, 'training-card.json'), 'utf8')) as {
    vae: { scalingFactor: number }; components?: { vae?: Partial<VaeConfig>; transformer?: Partial<TransformerConfig> };
  };
  return {
    weightFiles: { vae: path.join(dir, 'vae.safetensors'), transformer: path.join(dir, 'transformer.safetensors') },
    vaeConfig: { ...card.components?.vae, scalingFactor: card.vae.scalingFactor },
    transformerConfig: card.components?.transformer,
  };
}

/** Folder per component, relative to the root, as the official repositories lay them out. */
export const OFFICIAL_DIRS: Record<ModelComponentId | 'tokenizer' | 'tokenizer_2', string> = {
  transformer: 'FramePackI2V_HY', vae: 'HunyuanVideo/vae', text_encoder: 'HunyuanVideo/text_encoder',
  text_encoder_2: 'HunyuanVideo/text_encoder_2', image_encoder: 'flux_redux_bfl/image_encoder',
  tokenizer: 'HunyuanVideo/tokenizer', tokenizer_2: 'HunyuanVideo/tokenizer_2',
};

/** Writes the layout under `root`; returns every written file relative to root. */
export async function writeTinyOfficialCheckpoints(root: string, opts: TinyOfficialOptions): Promise<string[]> {
  const written: string[] = [];
  const dtype = opts.dtype ?? 'float32';
  for (const [i, id] of MODEL_COMPONENT_IDS.entries()) {
    const def = opts.definitions[id];
    const dir = path.join(root, OFFICIAL_DIRS[id]);
    await mkdir(dir, { recursive: true });
    const config = id === 'vae' && opts.vaeConfig ? { ...(def.tiny as VaeConfig), ...opts.vaeConfig }
      : id === 'transformer' && opts.transformerConfig ? { ...(def.tiny as TransformerConfig), ...opts.transformerConfig } : def.tiny;
    await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(officialConfigJson(id, config), null, 2)}\n`);
    written.push(`${OFFICIAL_DIRS[id]}/config.json`);
    const file = opts.weightFiles?.[id];
    // A file opened here is closed once its component is written (or fails): left to the garbage
    // collector it warns (DEP0137) in whatever process ran this (test workers, `models import`).
    const opened = file ? await openWeights(file) : undefined;
    try {
      const weights: WeightSource = opened
        ?? seededWeights(def.parameterShapes(def.tiny), TINY_SEED + i, def.init ? (n, s) => def.init!(n, s) : defaultInit);
      const tensors: TensorToWrite[] = [];
      for (const name of weights.names()) {
        const info = weights.info(name)!;
        if (info.dtype !== 'float32') throw new Error(`${file}: ${name} is ${info.dtype}; tiny official checkpoints are written from float32 weights`);
        const shape = opts.tamper ? opts.tamper(id, name, info.shape) : info.shape;
        if (!shape) continue;
        const same = shape.length === info.shape.length && shape.every((d, k) => d === info.shape[k]);
        tensors.push({
          name, dtype, shape,
          read: async () => {
            const bytes = same ? (await weights.read(name)).bytes : new Uint8Array(shape.reduce((a, d) => a * d, 1) * 4);
            return dtype === 'float32' ? bytes : convertFloatBytes(bytes, 'float32', dtype);
          },
        });
      }
      if (id === 'transformer') {
        // Two shards and an index, as diffusers saves large models.
        const half = Math.ceil(tensors.length / 2);
        const shards = [tensors.slice(0, half), tensors.slice(half)];
        const weightMap: Record<string, string> = {};
        for (const [k, part] of shards.entries()) {
          const file = `diffusion_pytorch_model-0000${k + 1}-of-00002.safetensors`;
          await writeSafetensors(path.join(dir, file), part, { format: 'pt' });
          for (const t of part) weightMap[t.name] = file;
          written.push(`${OFFICIAL_DIRS[id]}/${file}`);
        }
        await writeFile(path.join(dir, 'diffusion_pytorch_model.safetensors.index.json'), `${JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2)}\n`);
        written.push(`${OFFICIAL_DIRS[id]}/diffusion_pytorch_model.safetensors.index.json`);
      } else {
        const file = id === 'vae' ? 'diffusion_pytorch_model.safetensors' : 'model.safetensors';
        await writeSafetensors(path.join(dir, file), tensors, { format: 'pt' });
        written.push(`${OFFICIAL_DIRS[id]}/${file}`);
      }
    } finally {
      await opened?.close();
    }
  }
  const tokSrc = path.join(REPO_MODELS_DIR, 'tokenizers-src');
  await mkdir(path.join(root, OFFICIAL_DIRS.tokenizer), { recursive: true });
  await copyFile(path.join(tokSrc, 'llama', 'tokenizer.json'), path.join(root, OFFICIAL_DIRS.tokenizer, 'tokenizer.json'));
  written.push(`${OFFICIAL_DIRS.tokenizer}/tokenizer.json`);
  const clipDir = path.join(root, OFFICIAL_DIRS.tokenizer_2);
  await mkdir(clipDir, { recursive: true });
  if (opts.clipVocabMerges) {
    const tj = JSON.parse(await readFile(path.join(tokSrc, 'clip', 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number>; merges: (string | [string, string])[] } };
    const merges = tj.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
    await writeFile(path.join(clipDir, 'vocab.json'), JSON.stringify(tj.model.vocab));
    await writeFile(path.join(clipDir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
    await writeFile(path.join(clipDir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' }));
    written.push(`${OFFICIAL_DIRS.tokenizer_2}/vocab.json`, `${OFFICIAL_DIRS.tokenizer_2}/merges.txt`, `${OFFICIAL_DIRS.tokenizer_2}/tokenizer_config.json`);
  } else {
    await copyFile(path.join(tokSrc, 'clip', 'tokenizer.json'), path.join(clipDir, 'tokenizer.json'));
    written.push(`${OFFICIAL_DIRS.tokenizer_2}/tokenizer.json`);
  }
  return written;
}
