// Configuration of the Llama-style text encoder (HunyuanVideo's `text_encoder`, a LlamaModel: the
// text tower of llava-llama-3-8b). FRAMEPACK.md §1.2 gives the full size, §2.1 how it is used.
import { z } from 'zod';

export const llamaConfigSchema = z.object({
  hiddenSize: z.number().int().positive(),
  /** Decoder layers in the checkpoint; the graph runs only the first `numLayers − 2` (see below). */
  numLayers: z.number().int().min(3),
  numHeads: z.number().int().positive(),
  /** Grouped-query attention: each key/value head serves numHeads / numKvHeads query heads. */
  numKvHeads: z.number().int().positive(),
  headDim: z.number().int().positive().multipleOf(2),
  intermediateSize: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  ropeTheta: z.number().positive(),
  rmsNormEps: z.number().positive(),
}).refine((c) => c.numHeads % c.numKvHeads === 0, { message: 'numHeads must be a multiple of numKvHeads' });

export type LlamaConfig = z.infer<typeof llamaConfigSchema>;

/** The official text encoder (FRAMEPACK.md §1.2). */
export const llamaFull: LlamaConfig = {
  hiddenSize: 4096, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128,
  intermediateSize: 14336, vocabSize: 128320, ropeTheta: 500000, rmsNormEps: 1e-5,
};

/** The default bundle's encoder: same architecture, small enough to run in milliseconds. */
export const llamaTiny: LlamaConfig = {
  hiddenSize: 64, numLayers: 4, numHeads: 4, numKvHeads: 2, headDim: 16,
  intermediateSize: 128, vocabSize: 512, ropeTheta: 500000, rmsNormEps: 1e-5,
};

/**
 * FramePack uses `hidden_states[-3]` of `output_hidden_states=True`. That tuple holds the embeddings
 * and then the output of every layer, the last one after the final norm, so index −3 is the raw
 * output after `numLayers − 2` layers. The remaining two layers and the final norm never run.
 */
export const LLAMA_HIDDEN_STATE_INDEX = -3;
export function llamaLayersRun(config: LlamaConfig): number {
  return config.numLayers + 1 + LLAMA_HIDDEN_STATE_INDEX;
}

/** Maps a transformers `config.json` of a LlamaModel onto our config, refusing what we do not implement. */
export function llamaConfigFromHf(json: Record<string, unknown>): LlamaConfig {
  const hf = z.object({
    hidden_size: z.number(), num_hidden_layers: z.number(), num_attention_heads: z.number(),
    num_key_value_heads: z.number().optional(), head_dim: z.number().optional(),
    intermediate_size: z.number(), vocab_size: z.number(),
    rope_theta: z.number().default(10000), rms_norm_eps: z.number(),
    hidden_act: z.literal('silu').default('silu'),
    attention_bias: z.literal(false).default(false),
    mlp_bias: z.literal(false).default(false),
    rope_scaling: z.null().optional(),
  }).parse(json);
  return llamaConfigSchema.parse({
    hiddenSize: hf.hidden_size, numLayers: hf.num_hidden_layers, numHeads: hf.num_attention_heads,
    numKvHeads: hf.num_key_value_heads ?? hf.num_attention_heads,
    headDim: hf.head_dim ?? hf.hidden_size / hf.num_attention_heads,
    intermediateSize: hf.intermediate_size, vocabSize: hf.vocab_size,
    ropeTheta: hf.rope_theta, rmsNormEps: hf.rms_norm_eps,
  });
}

/**
 * Every tensor of the LlamaModel checkpoint (names as saved by transformers' LlamaModel, no
 * `model.` prefix), in a stable order. The graph reads only the first llamaLayersRun() layers, but
 * the list is the whole checkpoint so seeded weights load into a stock LlamaModel.
 */
export function llamaParameterShapes(c: LlamaConfig): [string, number[]][] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const shapes: [string, number[]][] = [['embed_tokens.weight', [c.vocabSize, c.hiddenSize]]];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `layers.${i}`;
    shapes.push(
      [`${p}.input_layernorm.weight`, [c.hiddenSize]],
      [`${p}.self_attn.q_proj.weight`, [q, c.hiddenSize]],
      [`${p}.self_attn.k_proj.weight`, [kv, c.hiddenSize]],
      [`${p}.self_attn.v_proj.weight`, [kv, c.hiddenSize]],
      [`${p}.self_attn.o_proj.weight`, [c.hiddenSize, q]],
      [`${p}.post_attention_layernorm.weight`, [c.hiddenSize]],
      [`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]],
      [`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]],
      [`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]],
    );
  }
  shapes.push(['norm.weight', [c.hiddenSize]]);
  return shapes;
}
