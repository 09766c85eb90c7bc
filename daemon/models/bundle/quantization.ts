// Which weights of a bundle are stored quantised (MatMulNBits, weights/matmul-nbits.ts), and how
// the manifest records it. Only the two big networks are quantised, and in them only the Linear
// layers of their repeated blocks, where nearly all parameters are:
//   transformer   transformer_blocks.*, single_transformer_blocks.* (attention, MLP and the AdaLN
//                 modulation Linears) and context_embedder.token_refiner.* (the text refiner's blocks);
//   text_encoder  layers.* (Llama's q/k/v/o and gate/up/down projections).
// Kept in the compute dtype: the embeddings (x/clean-x embedders, timestep/guidance/pooled-text
// embedders, context_embedder.proj_in, image_projection, Llama's embed_tokens), the final
// norm_out/proj_out (they write the velocity directly), every norm, and the VAE, CLIP and SigLIP
// encoders (≈ 0.6 B parameters together; convolutions and small layers where 4 bits hurt most
// and save least).
import { z } from 'zod';
import type { NBits } from '../../weights/matmul-nbits.js';
import type { ModelComponentId } from './manifest.js';

/** The block size bundles use unless told otherwise (docs/bundles.md "Quantised bundles"). */
export const DEFAULT_QUANT_BLOCK_SIZE = 32;

export interface QuantizationChoice {
  bits: NBits;
  blockSize: number;
  /** Symmetric (no zero points); default asymmetric. */
  symmetric?: boolean;
}

const QUANTIZED: Partial<Record<ModelComponentId, RegExp>> = {
  transformer: /^(transformer_blocks|single_transformer_blocks|context_embedder\.token_refiner)\./,
  text_encoder: /^layers\./,
};

export function isQuantizedComponent(id: ModelComponentId): boolean {
  return QUANTIZED[id] !== undefined;
}

/** True when the Linear weight `name` of component `id` is stored quantised. */
export function selectQuantizedLinear(id: ModelComponentId, name: string): boolean {
  return QUANTIZED[id]?.test(name) ?? false;
}

export const componentQuantizationSchema = z.object({
  method: z.literal('MatMulNBits'),
  bits: z.union([z.literal(4), z.literal(8)]),
  blockSize: z.number().int().min(16).refine((b) => (b & (b - 1)) === 0, { message: 'must be a power of two' }),
  symmetric: z.boolean(),
  /** Linear layers stored quantised, and the parameters they hold, counted per graph: a Linear in
   *  two graphs (the transformer's block 0 norm1, also in transformer_pre for TeaCache) counts twice. */
  linears: z.number().int().nonnegative(),
  quantizedParameters: z.number().int().nonnegative(),
});
export type ComponentQuantization = z.infer<typeof componentQuantizationSchema>;

/** The user-facing weight format (`--dtype`): compute dtype plus optional weight quantisation. */
export type WeightFormat = 'fp32' | 'fp16' | 'int8' | 'int4';
export const WEIGHT_FORMATS: readonly WeightFormat[] = ['fp32', 'fp16', 'int8', 'int4'];

export function quantizationFor(format: WeightFormat, blockSize = DEFAULT_QUANT_BLOCK_SIZE): QuantizationChoice | undefined {
  if (format === 'int8') return { bits: 8, blockSize };
  if (format === 'int4') return { bits: 4, blockSize };
  return undefined;
}

/** "int4 (block 32)" for listings; "" for float bundles. */
export function describeQuantization(q: ComponentQuantization | undefined): string {
  return q ? `int${q.bits} weights (block ${q.blockSize}${q.symmetric ? ', symmetric' : ''})` : '';
}
