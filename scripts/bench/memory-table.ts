// `npm run bench -- memory`'s computed part: the official model's expected peak per component for
// bucket × precision × plan (docs/memory.md), from the official configs (each definition's `full`
// config, the same the importer maps official config.json files onto) and the same estimates the
// daemon's plan uses (models/bundle/estimate.ts, residency/memory-plan.ts). No weights are read.
//
// Weight bytes per precision: fp32 4 B and fp16/bf16 2 B per parameter; int8/int4 are the
// MatMulNBits layout of issue 14 item 1 — every 2-D linear weight of the transformer and of Llama
// quantised in blocks of 32 along K with one fp16 scale per block (symmetric, no zero points), all
// other tensors (norms, biases, convolutions, Llama's token embedding, a gather) fp16. i14-quant's
// `build-bundle --dry-run` computes the real files; these figures are this formula's.
import { resolveBundleConfig } from '../../daemon/models/bundle/bundle-config.js';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { blockActivationElements, estimateActivationBytes, transformerImageTokens } from '../../daemon/models/bundle/estimate.js';
import type { ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { llamaLayersRun, type LlamaConfig } from '../../daemon/models/text/llama-config.js';
import { transformerDims, type TransformerConfig } from '../../daemon/models/transformer/config.js';
import { chooseMemoryPlan, planOf, PLAN_COMPONENTS, type MemoryPlan, type MemoryPlanInput, type MemoryPlanKind } from '../../daemon/residency/memory-plan.js';
import { transformerBlockShare } from '../../daemon/residency/job-memory.js';

export type Precision = 'fp32' | 'fp16' | 'int8' | 'int4';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8', 'int4'];
const QUANT_BLOCK = 32;
const QUANTISED: ReadonlySet<ModelComponentId> = new Set(['transformer', 'text_encoder']);

export const official = resolveBundleConfig({ name: 'official', preset: 'full' }, componentDefinitions);

/** Parameters a component's graphs hold (Llama: the layers that run; its last two and final norm never do). */
function parameters(id: ModelComponentId): [string, number[]][] {
  const config = official.components[id];
  const shapes = componentDefinitions[id].parameterShapes(config as never);
  if (id !== 'text_encoder') return shapes;
  const run = llamaLayersRun(config as LlamaConfig);
  return shapes.filter(([name]) => {
    const m = /(?:^|\.)layers\.(\d+)\./.exec(name);
    return m ? Number(m[1]) < run : !/(?:^|\.)norm\.weight$/.test(name);
  });
}

const count = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

export function tensorBytes(id: ModelComponentId, name: string, shape: number[], p: Precision): number {
  const n = count(shape);
  if (p === 'fp32') return 4 * n;
  const linear = shape.length === 2 && name.endsWith('.weight') && !/embed_tokens|position_embedding|token_embedding/.test(name) && shape[1]! % QUANT_BLOCK === 0;
  if ((p === 'int8' || p === 'int4') && QUANTISED.has(id) && linear) return (n * (p === 'int8' ? 8 : 4)) / 8 + (n / QUANT_BLOCK) * 2;
  return 2 * n;
}

export function weightBytes(id: ModelComponentId, p: Precision): number {
  return Math.round(parameters(id).reduce((a, [name, shape]) => a + tensorBytes(id, name, shape, p), 0));
}

export function parameterCount(id: ModelComponentId): number {
  return parameters(id).reduce((a, [, shape]) => a + count(shape), 0);
}

/** Transformer tokens per call at a bucket (as estimate.ts counts them: image side + SigLIP tokens + the prompt budget). */
export function transformerTokens(height: number, width: number, windowSize: number): number {
  const r = { ...official, defaults: { ...official.defaults, windowSize } };
  const siglip = official.components.image_encoder as { imageSize: number; patchSize: number };
  return transformerImageTokens(r, height, width) + Math.floor(siglip.imageSize / siglip.patchSize) ** 2 + official.text.maxUserTokens;
}

export interface ActivationOptions {
  /** Fused attention (i13-graphs): no heads·S² score matrix in the transformer's estimate. */
  fusedAttention: boolean;
  /** VAE decode in spatial tiles of this many pixels (diffusers' 256) and 16-frame temporal tiles; null = untiled. */
  vaeTilePx: number | null;
}

/** Activation bytes per component at a bucket; fp32 bundles compute in fp32, the others in fp16 (GPU). */
export function activationBytes(id: ModelComponentId, p: Precision, bucket: { height: number; width: number }, windowSize: number, o: ActivationOptions): number {
  const dtype = p === 'fp32' ? 'float32' : 'float16';
  const b = dtype === 'float32' ? 4 : 2;
  const r = { ...official, defaultBucket: bucket, defaults: { ...official.defaults, windowSize } };
  if (id === 'transformer' && o.fusedAttention) {
    const { hidden, mlp } = transformerDims(official.components.transformer as TransformerConfig);
    return b * blockActivationElements(transformerTokens(bucket.height, bucket.width, windowSize), hidden, 0, mlp);
  }
  if (id === 'vae' && o.vaeTilePx !== null) {
    // One tile through the decoder: 16+1 frames of tile × tile pixels (the estimate's conv term at tile size).
    const tile = o.vaeTilePx;
    const tileBucket = { height: Math.min(tile, bucket.height), width: Math.min(tile, bucket.width) };
    return estimateActivationBytes('vae', official.components.vae, { ...r, defaultBucket: tileBucket, defaults: { ...r.defaults, windowSize: Math.min(windowSize, 5) } }, 0, dtype);
  }
  return estimateActivationBytes(id, official.components[id], r, 0, dtype);
}

export function planInput(p: Precision, bucket: { height: number; width: number }, windowSize: number, o: ActivationOptions): Pick<MemoryPlanInput, 'components' | 'transformerBlocks'> {
  const components = {} as MemoryPlanInput['components'];
  for (const id of PLAN_COMPONENTS) components[id] = { weightBytes: weightBytes(id, p), activationBytes: Math.ceil(activationBytes(id, p, bucket, windowSize, o)) };
  // Block bytes from the block tensors themselves (quantisation does not touch them all alike).
  const blockBytes = Math.round(parameters('transformer').filter(([n]) => /^(single_)?transformer_blocks\./.test(n)).reduce((a, [n, s]) => a + tensorBytes('transformer', n, s, p), 0));
  return { components, transformerBlocks: { count: transformerBlockShare(official.components.transformer).count, weightBytes: blockBytes } };
}

/** The plan of `kind` at its best: for streaming, the fewest groups that fit `availableBytes`, else one block per group. */
export function bestPlan(input: Pick<MemoryPlanInput, 'components' | 'transformerBlocks'>, kind: MemoryPlanKind, availableBytes: number): MemoryPlan {
  if (kind !== 'stream-blocks') return planOf(input, kind);
  const d = chooseMemoryPlan({ ...input, availableBytes, executable: ['stream-blocks'] });
  return d.fits ? d.plan : planOf(input, 'stream-blocks', input.transformerBlocks.count);
}
