// jobs.plan's shapes: what a job with these parameters would do, known before any model runs —
// the bucket the start image lands in, the sections in generation and display order (inverted mode
// renders the end first), tokens per transformer call, frames, duration, the σ schedule, and a time
// estimate from the s/step the daemon measured for that model. Only the fields that change the plan
// are taken; anything left out is the bundle's default, exactly as jobs.submit would fill it.
import { z } from 'zod';
import { GenerationMode, JobSpec, Sampler } from '../domain/job.js';
import { ModelName } from '../domain/model.js';

const Count = z.number().int().nonnegative();
const Indices = z.array(Count);

/** jobs.plan params: JobSpec's plan-relevant fields; absent = the bundle's default (as jobs.submit). */
export const JobPlanParams = z.strictObject({
  /** Start image; only its header is read (for the size, hence the bucket). */
  image: JobSpec.shape.image.unwrap(),
  seconds: JobSpec.shape.seconds.unwrap().optional(),
  window: JobSpec.shape.window.unwrap().optional(),
  mode: GenerationMode.optional(),
  steps: JobSpec.shape.steps.unwrap().optional(),
  shift: JobSpec.shape.shift,
  sampler: Sampler.optional(),
  model: ModelName.optional(),
  /** Bucket class (JobSpec.resolution); absent = the model's own. */
  resolution: JobSpec.shape.resolution,
  /** Directing (docs/directing.md), for the answer's `directing` rows: a timestamped prompt and its blend. */
  prompt: JobSpec.shape.prompt.optional(),
  promptBlend: JobSpec.shape.promptBlend,
  /** End image and keyframes: only their presence, strength and times plan (the files are not read). */
  endImage: JobSpec.shape.endImage,
  endStrength: JobSpec.shape.endStrength,
  keyframes: JobSpec.shape.keyframes,
  /** LoRAs (absolute paths): checked as jobs.submit checks them, their branches counted in the memory plan. */
  loras: JobSpec.shape.loras,
});
export type JobPlanParams = z.infer<typeof JobPlanParams>;

export const PlannedSection = z.object({
  /** 0-based, in the order the sampler runs them. */
  generationIndex: Count,
  /** 0-based place in the final video (time order). */
  displayIndex: Count,
  latentPadding: Count,
  isLast: z.boolean(),
  /** RoPE frame indices of the noisy latents and of the 1×/2×/4× clean context. */
  indices: z.object({ latent: Indices, clean: Indices, clean2x: Indices, clean4x: Indices }),
  /** Latent frames this section adds to the history. */
  newLatentFrames: Count,
  /** Image-side tokens per transformer call (noisy + clean + 2× + 4×), plus the SigLIP image tokens; prompt tokens come on top. */
  tokens: z.object({ noisy: Count, clean: Count, clean2x: Count, clean4x: Count, imageSide: Count, imageEmbedding: Count }),
  /** Pixel frames of the whole video once this section is decoded. */
  framesAfter: Count,
});
export type PlannedSection = z.infer<typeof PlannedSection>;

export const PlanEstimate = z.object({
  /** Measured seconds per sampler step of the newest job of this model (smoothed by the engine). */
  secPerStep: z.number().nonnegative(),
  /** The job it was measured on. */
  measuredOn: z.string(),
  /** Same latent window as this plan (step time grows with the token count). */
  sameWindow: z.boolean(),
  /** steps × secPerStep, one section. */
  sectionSeconds: z.number().nonnegative(),
  /** Sampling of all sections; model loading, encoding and decoding come on top. */
  samplingSeconds: z.number().nonnegative(),
  /**
   * The whole job (shared/domain/job-estimate.ts): 'sections' from a finished job's timing (every
   * stage: sampling, decode + append, partial and final encode, prompt/image encode); 'steps' from a
   * step rate only (sampling, a lower bound). Model loading is not counted. Absent from older daemons.
   */
  job: z.object({
    basis: z.enum(['sections', 'steps']),
    jobSeconds: z.number().nonnegative(),
    sampleSecondsPerSection: z.number().nonnegative(),
    decodeSecondsPerSection: z.number().nonnegative(),
    encodeSecondsPerSection: z.number().nonnegative(),
    finalEncodeSeconds: z.number().nonnegative(),
    setupSeconds: z.number().nonnegative(),
    /** The job the figures come from. */
    measuredOn: z.string(),
  }).optional(),
});
export type PlanEstimate = z.infer<typeof PlanEstimate>;

const Bytes = z.number().int().nonnegative();

/**
 * The job's memory plan (docs/memory.md): how its components are held on the device, the expected
 * peak per component and overall, and whether that fits what the device can give now. When it
 * does not, `reason` holds the refusal jobs.submit gives and the plan shown is the smallest the
 * engine can run.
 */
export const PlannedMemory = z.object({
  kind: z.enum(['all-resident', 'release-encoders', 'stream-blocks']),
  /** Transformer block groups when streaming. */
  groups: z.number().int().positive().nullable(),
  fits: z.boolean(),
  reason: z.string().nullable(),
  /** 'cpu' (host RAM) or 'cuda:N'. */
  device: z.string(),
  peakBytes: Bytes,
  availableBytes: Bytes,
  /** Host → device weight bytes per transformer call (streaming only). */
  bytesMovedPerCall: Bytes,
  components: z.array(z.object({ component: z.string(), weightBytes: Bytes, activationBytes: Bytes, peakBytes: Bytes })),
});
export type PlannedMemory = z.infer<typeof PlannedMemory>;

/**
 * A directed job's plan (docs/directing.md; the same as `framepack plan --json`'s `directing`):
 * the distinct prompts (each encoded once) and, per section in display order, the prompt it gets
 * (`from`, `to` index `prompts`; `weight` on `to`, 0 = `from` alone), its generation position, the
 * keyframe anchoring it and the end image's embedding weight.
 */
export const PlannedDirecting = z.object({
  prompts: z.array(z.string()),
  promptBlend: Count,
  endImage: z.object({ strength: z.number() }).nullable(),
  keyframes: z.array(z.object({ seconds: z.number(), displaySection: Count })),
  /** Display order. */
  sections: z.array(z.object({
    displayIndex: Count,
    generationIndex: Count,
    startSeconds: z.number(),
    endSeconds: z.number(),
    prompt: z.object({ from: Count, to: Count, weight: z.number() }),
    keyframe: Count.nullable(),
    endEmbeddingWeight: z.number(),
  })),
});
export type PlannedDirecting = z.infer<typeof PlannedDirecting>;

export const JobPlanResult = z.object({
  model: ModelName,
  mode: GenerationMode,
  input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  bucket: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  /** The bucket class used: `resolution` asked (or native), the model's `native` class, and whether it is off the model's training distribution. Absent from older daemons. */
  bucketClass: z.object({ resolution: z.number().int().positive(), native: z.number().int().positive(), offDistribution: z.boolean() }).optional(),
  latent: z.object({ channels: z.number().int().positive(), height: z.number().int().positive(), width: z.number().int().positive() }),
  window: z.number().int().positive(),
  /** Generation order. */
  sections: z.array(PlannedSection).min(1),
  /** generationIndex of each section, first to last in the video. */
  displayOrder: z.array(Count),
  totalLatentFrames: Count,
  totalFrames: z.number().int().positive(),
  fps: z.number().positive(),
  durationSeconds: z.number().positive(),
  sampler: Sampler,
  steps: z.number().int().positive(),
  shift: z.number().positive(),
  mu: z.number(),
  /** σ₀ … σ_steps, ending in 0. */
  sigmas: z.array(z.number()),
  /** null until the daemon has measured a step of this model. */
  estimate: PlanEstimate.nullable(),
  /** Absent from engines without bundles (the fake engine). */
  memory: PlannedMemory.optional(),
  /** Only for a directed job (a timestamped prompt, an end image or keyframes); absent from older daemons. */
  directing: PlannedDirecting.optional(),
});
export type JobPlanResult = z.infer<typeof JobPlanResult>;
