// The memory plan of one job, from its bundle and its device: component bytes from the manifest
// (weights = the component's file sizes, so fp16/int8/int4 bundles count what they hold;
// activations from models/bundle/estimate.ts at the job's bucket and window), the bytes the
// device can give (device-memory.ts), and memory-plan.ts's choice. checkJobMemory is the one
// check jobs.submit and jobs.plan both call: a job that cannot fit is refused before it is
// queued, with the numbers, instead of dying in the middle of a section.
import type { Manifest, ModelComponentId } from '../models/bundle/manifest.js';
import type { ResolvedBundleConfig } from '../models/bundle/bundle-config.js';
import { estimateActivationBytes } from '../models/bundle/estimate.js';
import { vaeConfigSchema } from '../models/vae/config.js';
import { DEFAULT_VAE_TILING, planVaeTiling, type VaeTilingSetting } from '../engine/pipeline/vae-tiling-plan.js';
import { transformerConfigSchema } from '../models/transformer/config.js';
import { transformerParameterShapes } from '../models/transformer/params.js';
import { chooseMemoryPlan, PLAN_COMPONENTS, type MemoryPlanInput, type MemoryPlanKind, type PlanDecision } from './memory-plan.js';

/**
 * Plans this engine executes: everything resident; the encoders loaded one at a time for
 * conditioning and released after it (framepack-engine.ts run, conditioning.ts); and, for a bundle
 * built with --block-groups K, the same with the transformer's blocks streamed in those K groups
 * (streamed-blocks.ts) — only that K: the groups are graphs in the bundle.
 */
export const EXECUTABLE_PLANS: readonly MemoryPlanKind[] = ['all-resident', 'release-encoders', 'stream-blocks'];

/** The geometry estimate.ts reads, from a manifest, at one bucket and latent window. */
function resolvedAt(m: Manifest, bucket: { width: number; height: number }, windowSize: number): ResolvedBundleConfig {
  const components = Object.fromEntries(PLAN_COMPONENTS.map((id) => [id, m.components[id].config])) as Record<ModelComponentId, unknown>;
  return {
    name: m.name, description: m.description, variant: m.variant, components, latent: m.latent,
    contextKernels: m.contextKernels, patchSize: m.patchSize, text: m.text, imageEncoder: m.imageEncoder, buckets: m.buckets,
    defaultBucket: { height: bucket.height, width: bucket.width }, defaults: { ...m.defaults, windowSize },
  };
}

const elements = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

/** The transformer's repeated blocks and their share of its stored weight bytes (from the parameter list). */
export function transformerBlockShare(config: unknown): { count: number; fraction: number } {
  const c = transformerConfigSchema.parse(config);
  let total = 0;
  let blocks = 0;
  for (const [name, shape] of transformerParameterShapes(c)) {
    const n = elements(shape);
    total += n;
    if (/^(single_)?transformer_blocks\./.test(name)) blocks += n;
  }
  return { count: c.numLayers + c.numSingleLayers, fraction: total > 0 ? blocks / total : 0 };
}

/**
 * Weights and activations per component for a job at `bucket` (pixels) with `windowSize` latent
 * frames; `loraBytes` (models/lora/lora-memory.ts) are the job's LoRA branches, held with the
 * transformer's weights and, as nearly every LoRA target is a block's Linear, streamed with its blocks.
 */
export function jobComponentBytes(m: Manifest, bucket: { width: number; height: number }, windowSize: number, vaeTiling: VaeTilingSetting = DEFAULT_VAE_TILING, loraBytes = 0): Pick<MemoryPlanInput, 'components' | 'transformerBlocks'> {
  const r = resolvedAt(m, bucket, windowSize);
  const components = {} as MemoryPlanInput['components'];
  for (const id of PLAN_COMPONENTS) {
    const c = m.components[id];
    // A bundle with block groups holds the blocks twice (whole and grouped); a job holds one form.
    const weightBytes = c.files.filter((f) => !isBlockGroupFile(f.path)).reduce((a, f) => a + f.bytes, 0);
    // Activations are float32 unless the bundle computes in fp16 (quantised weights compute in the activation dtype).
    const activationDtype = c.weightDtype === 'float16' ? 'float16' : 'float32';
    components[id] = { weightBytes, activationBytes: Math.ceil(estimateActivationBytes(id, c.config, r, weightBytes, activationDtype)) };
  }
  // When the job will decode/encode in spatial tiles (vae-tiling-plan.ts chooses them when the
  // untiled pass is over its budget), the VAE's peak is a tile's, from the tiling plan's estimate
  // (fitted to measured decoder runs): the generic estimate above assumes one untiled pass over the
  // whole window and would refuse jobs that the tiled decode runs in a few GiB.
  const vaeConfig = vaeConfigSchema.safeParse(m.components.vae.config);
  if (vaeConfig.success) {
    const k = vaeConfig.data.spatialCompressionRatio;
    const tiling = planVaeTiling(vaeConfig.data, { height: Math.round(bucket.height / k), width: Math.round(bucket.width / k) }, windowSize + 1, vaeTiling);
    if (tiling.decode.spatial || tiling.encode.spatial) {
      const peak = (c: typeof tiling.decode) => (c.spatial ? c.tiledPeakBytes : c.untiledPeakBytes);
      components.vae = { ...components.vae, activationBytes: Math.ceil(Math.max(peak(tiling.decode), peak(tiling.encode))) };
    }
  }
  const share = transformerBlockShare(m.components.transformer.config);
  const blockBytes = Math.round(components.transformer.weightBytes * share.fraction) + loraBytes;
  components.transformer = { ...components.transformer, weightBytes: components.transformer.weightBytes + loraBytes };
  return { components, transformerBlocks: { count: share.count, weightBytes: blockBytes } };
}

/** transformer/transformer_blocks_g<i>.onnx (and its .data): a block-group graph's file. */
const isBlockGroupFile = (p: string) => /^transformer\/transformer_blocks_g\d+\.onnx(\.data)?$/.test(p);

/** The check: the plan for this job on a device that can give `availableBytes` (streaming only in the bundle's own block groups). */
export function checkJobMemory(m: Manifest, bucket: { width: number; height: number }, windowSize: number, availableBytes: number, executable: readonly MemoryPlanKind[] = EXECUTABLE_PLANS, vaeTiling: VaeTilingSetting = DEFAULT_VAE_TILING, loraBytes = 0): PlanDecision {
  return chooseMemoryPlan({ ...jobComponentBytes(m, bucket, windowSize, vaeTiling, loraBytes), availableBytes, executable, streamGroups: m.components.transformer.blockGroups ?? null });
}
