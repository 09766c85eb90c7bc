// Configuration of the CLIP-L text encoder (HunyuanVideo's `text_encoder_2`, a CLIPTextModel).
// FRAMEPACK.md §1.2 gives the full size, §2.2 how its pooled output is used.
import { z } from 'zod';
import { encoderLayerShapes } from './clip-encoder-layer.js';

export const clipTextConfigSchema = z.object({
  hiddenSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  intermediateSize: z.number().int().positive(),
  /** Token sequences are always padded to this length (the position table's size). */
  maxPositions: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  layerNormEps: z.number().positive(),
  hiddenAct: z.enum(['quick_gelu', 'gelu']),
}).refine((c) => c.hiddenSize % c.numHeads === 0, { message: 'hiddenSize must be a multiple of numHeads' });

export type ClipTextConfig = z.infer<typeof clipTextConfigSchema>;

/** CLIP ViT-L/14's text tower (FRAMEPACK.md §1.2). */
export const clipTextFull: ClipTextConfig = {
  hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072,
  maxPositions: 77, vocabSize: 49408, layerNormEps: 1e-5, hiddenAct: 'quick_gelu',
};

export const clipTextTiny: ClipTextConfig = {
  hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64,
  maxPositions: 77, vocabSize: 512, layerNormEps: 1e-5, hiddenAct: 'quick_gelu',
};

/** Maps a transformers `config.json` of a CLIPTextModel onto our config. */
export function clipTextConfigFromHf(json: Record<string, unknown>): ClipTextConfig {
  const hf = z.object({
    hidden_size: z.number(), num_hidden_layers: z.number(), num_attention_heads: z.number(),
    intermediate_size: z.number(), max_position_embeddings: z.number(), vocab_size: z.number(),
    layer_norm_eps: z.number().default(1e-5), hidden_act: z.enum(['quick_gelu', 'gelu']).default('quick_gelu'),
  }).parse(json);
  return clipTextConfigSchema.parse({
    hiddenSize: hf.hidden_size, numLayers: hf.num_hidden_layers, numHeads: hf.num_attention_heads,
    intermediateSize: hf.intermediate_size, maxPositions: hf.max_position_embeddings, vocabSize: hf.vocab_size,
    layerNormEps: hf.layer_norm_eps, hiddenAct: hf.hidden_act,
  });
}

export const clipLayerShape = (c: ClipTextConfig) => ({
  hiddenSize: c.hiddenSize, numHeads: c.numHeads, intermediateSize: c.intermediateSize,
  layerNormEps: c.layerNormEps, activation: c.hiddenAct,
});

/**
 * Every tensor of the CLIPTextModel checkpoint the graph reads (the `position_ids` buffer, which
 * some checkpoints carry, is not needed), in a stable order.
 */
export function clipTextParameterShapes(c: ClipTextConfig): [string, number[]][] {
  const shapes: [string, number[]][] = [
    ['text_model.embeddings.token_embedding.weight', [c.vocabSize, c.hiddenSize]],
    ['text_model.embeddings.position_embedding.weight', [c.maxPositions, c.hiddenSize]],
  ];
  for (let i = 0; i < c.numLayers; i++) shapes.push(...encoderLayerShapes(`text_model.encoder.layers.${i}`, clipLayerShape(c)));
  shapes.push(['text_model.final_layer_norm.weight', [c.hiddenSize]], ['text_model.final_layer_norm.bias', [c.hiddenSize]]);
  return shapes;
}
