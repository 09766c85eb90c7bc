// Configuration of the SigLIP vision tower (`image_encoder`, a SiglipVisionModel: so400m-patch14-384
// from FLUX.1-Redux). FRAMEPACK.md §1.2 gives the full size, §3.3 how its output is used.
import { z } from 'zod';
import { encoderLayerShapes } from '../text/clip-encoder-layer.js';

export const siglipConfigSchema = z.object({
  hiddenSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  intermediateSize: z.number().int().positive(),
  /** Input side S in pixels; the image is resized to exactly S × S before the graph. */
  imageSize: z.number().int().positive(),
  patchSize: z.number().int().positive(),
  numChannels: z.number().int().positive(),
  layerNormEps: z.number().positive(),
  hiddenAct: z.enum(['gelu_pytorch_tanh', 'gelu']),
}).refine((c) => c.hiddenSize % c.numHeads === 0, { message: 'hiddenSize must be a multiple of numHeads' })
  .refine((c) => c.imageSize >= c.patchSize, { message: 'imageSize must be at least patchSize' });

export type SiglipConfig = z.infer<typeof siglipConfigSchema>;

export const siglipFull: SiglipConfig = {
  hiddenSize: 1152, numLayers: 27, numHeads: 16, intermediateSize: 4304,
  imageSize: 384, patchSize: 14, numChannels: 3, layerNormEps: 1e-6, hiddenAct: 'gelu_pytorch_tanh',
};

/** 64 × 64 pixels in 8 × 8 patches: 64 tokens. */
export const siglipTiny: SiglipConfig = {
  hiddenSize: 48, numLayers: 2, numHeads: 2, intermediateSize: 96,
  imageSize: 64, patchSize: 8, numChannels: 3, layerNormEps: 1e-6, hiddenAct: 'gelu_pytorch_tanh',
};

/**
 * Patches along each side: the convolution has no padding, so pixels past the last whole patch are
 * dropped. The official 384 px / 14 px gives 27 (378 px used), i.e. 729 tokens.
 */
export const siglipPatchesPerSide = (c: SiglipConfig): number => Math.floor(c.imageSize / c.patchSize);
/** Tokens per image, one position embedding each. */
export const siglipNumPatches = (c: SiglipConfig): number => siglipPatchesPerSide(c) ** 2;

/** Maps the `vision_config` of a transformers SiglipVisionModel `config.json` onto our config. */
export function siglipConfigFromHf(json: Record<string, unknown>): SiglipConfig {
  const hf = z.object({
    hidden_size: z.number(), num_hidden_layers: z.number(), num_attention_heads: z.number(),
    intermediate_size: z.number(), image_size: z.number(), patch_size: z.number(),
    num_channels: z.number().default(3), layer_norm_eps: z.number().default(1e-6),
    hidden_act: z.enum(['gelu_pytorch_tanh', 'gelu']).default('gelu_pytorch_tanh'),
  }).parse(json);
  return siglipConfigSchema.parse({
    hiddenSize: hf.hidden_size, numLayers: hf.num_hidden_layers, numHeads: hf.num_attention_heads,
    intermediateSize: hf.intermediate_size, imageSize: hf.image_size, patchSize: hf.patch_size,
    numChannels: hf.num_channels, layerNormEps: hf.layer_norm_eps, hiddenAct: hf.hidden_act,
  });
}

export const siglipLayerShape = (c: SiglipConfig) => ({
  hiddenSize: c.hiddenSize, numHeads: c.numHeads, intermediateSize: c.intermediateSize,
  layerNormEps: c.layerNormEps, activation: c.hiddenAct,
});

/**
 * Every tensor the graph reads, in a stable order. The checkpoint's pooling head (`vision_model.head.*`)
 * is unused by FramePack and not required.
 */
export function siglipParameterShapes(c: SiglipConfig): [string, number[]][] {
  const shapes: [string, number[]][] = [
    ['vision_model.embeddings.patch_embedding.weight', [c.hiddenSize, c.numChannels, c.patchSize, c.patchSize]],
    ['vision_model.embeddings.patch_embedding.bias', [c.hiddenSize]],
    ['vision_model.embeddings.position_embedding.weight', [siglipNumPatches(c), c.hiddenSize]],
  ];
  for (let i = 0; i < c.numLayers; i++) shapes.push(...encoderLayerShapes(`vision_model.encoder.layers.${i}`, siglipLayerShape(c)));
  shapes.push(['vision_model.post_layernorm.weight', [c.hiddenSize]], ['vision_model.post_layernorm.bias', [c.hiddenSize]]);
  return shapes;
}
