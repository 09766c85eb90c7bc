// Everything about a job that is known before any model runs: the bucket for the input image, the
// latent size, the section plan (generation and display order, paddings, RoPE index lists,
// context ranges, tokens, frame accounting), the σ schedule and the VAE's spatial tiling choice. `framepack plan` prints it and the
// pipeline runs it.
import type { Manifest } from '../../models/bundle/manifest.js';
import { vaeConfigSchema } from '../../models/vae/config.js';
import { nearestBucket, resizeCropPlan, type Bucket, type ResizeCropPlan } from '../buckets.js';
import { planJob, type JobPlan } from '../section-plan.js';
import { bucketClass, type BucketClass } from '../bucket-class.js';
import { planExtension, type ExtensionPlan } from '../extension-plan.js';
import type { JobSpec } from './job-spec.js';
import { samplerSchedule, type SamplerSchedule } from './sampling.js';
import { planVaeTiling, vaeTilingSettingFromEnv, type VaeTilingPlan, type VaeTilingSetting } from './vae-tiling-plan.js';

export interface JobLayout {
  input: { width: number; height: number };
  bucket: Bucket;
  resize: ResizeCropPlan;
  latent: { channels: number; height: number; width: number };
  plan: JobPlan | ExtensionPlan;
  /** The bucket table used (`--resolution`; native unless asked). */
  bucketClass: BucketClass;
  schedule: SamplerSchedule;
  vaeTiling: VaeTilingPlan;
}

/** The manifest's bucket list in scan order, as buckets.ts expects. */
export function manifestBuckets(manifest: Pick<Manifest, 'buckets'>): Bucket[] {
  return manifest.buckets.map((b) => ({ heightPx: b.height, widthPx: b.width }));
}

/** `vaeTiling` defaults to the FRAMEPACK_VAE_TILING / FRAMEPACK_VAE_BUDGET_MB setting, so the plan and the run agree. */
/** An extension's source as the plan needs it (extension-source.ts measures it). */
export interface ExtensionLayoutInput {
  contextLatents: number;
  videoFrames: number;
  /** --extend-job: the job's own bucket (its latents fix the size). */
  bucket?: Bucket;
}

/** `input` is the start image's size (an extension: the source video's). */
export function layoutJob(spec: JobSpec, manifest: Manifest, input: { width: number; height: number }, vaeTiling: VaeTilingSetting = vaeTilingSettingFromEnv(process.env), extension?: ExtensionLayoutInput): JobLayout {
  const classTable = bucketClass(manifestBuckets(manifest), spec.resolution ?? null, manifest.latent.spatialCompression * Math.max(manifest.patchSize[1], manifest.patchSize[2]));
  const bucket = extension?.bucket ?? nearestBucket(input.height, input.width, classTable.buckets);
  const k = manifest.latent.spatialCompression;
  const latent = { channels: manifest.latent.channels, height: bucket.heightPx / k, width: bucket.widthPx / k };
  const plan = extension
    ? planExtension({ seconds: spec.seconds, latentHeight: latent.height, latentWidth: latent.width, latentWindowSize: spec.windowSize, contextLatents: extension.contextLatents, videoFrames: extension.videoFrames })
    : planJob({ mode: spec.mode, seconds: spec.seconds, latentHeight: latent.height, latentWidth: latent.width, latentWindowSize: spec.windowSize });
  const schedule = samplerSchedule({ sampler: spec.sampler, steps: spec.steps, windowSize: spec.windowSize, latentHeight: latent.height, latentWidth: latent.width, shift: spec.shift });
  const decodeLatentFrames = Math.max(...plan.sections.map((sec) => sec.decode.to - sec.decode.from));
  const vaeConfig = vaeConfigSchema.safeParse(manifest.components.vae.config);
  if (!vaeConfig.success) throw new Error(`bundle ${manifest.name}: components.vae.config is not a VAE config (${vaeConfig.error.issues[0]?.message ?? 'invalid'})`);
  const vae = planVaeTiling(vaeConfig.data, latent, decodeLatentFrames, vaeTiling);
  return { input, bucket, bucketClass: classTable, resize: resizeCropPlan(input.width, input.height, bucket), latent, plan, schedule, vaeTiling: vae };
}
