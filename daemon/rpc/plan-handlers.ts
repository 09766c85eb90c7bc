// jobs.plan: what `jobs.submit` with these parameters would do, without queueing anything. The
// start image's header gives its size (sharp reads metadata only, no decode), the bundle manifest
// gives buckets, latent geometry and defaults, and layoutJob — the same function the pipeline and
// `framepack plan` use — gives sections, frames and σ. The time estimate is the newest s/step the
// daemon measured for the model, preferring a job with the same latent window, and the whole job
// (every stage) from the newest finished job's timing (shared/domain/job-estimate.ts).
import path from 'node:path';
import { RpcError, type Job, type JobPlanParams, type JobPlanResult, type PlanEstimate, type PlannedMemory } from '../../shared/protocol/index.js';
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import type { Engine } from '../engine/engine.js';
import { layoutJob, type JobLayout } from '../engine/pipeline/job-plan.js';
import { JobSpecError, resolveJobSpec, type JobSpec as PipelineSpec, type JobSpecInput } from '../engine/pipeline/job-spec.js';
import { directingFor } from '../engine/pipeline/job-directing.js';
import { isPlainDirecting } from '../engine/pipeline/section-conditioning.js';
import { directingSummary } from '../engine/pipeline/directing-summary.js';
import { resolveModelDir, UnknownModelError } from '../engine/pipeline/model-location.js';
import { InputImageError, inspectInputImage } from '../media/image-input.js';
import { readManifest } from '../models/bundle/load-bundle.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { LoraError } from '../models/lora/lora-load.js';
import { checkedLoraBytes } from '../models/lora/lora-memory.js';
import { checkLoras } from '../models/lora/lora-variant.js';
import { siglipConfigSchema, siglipPatchesPerSide } from '../models/image/siglip-config.js';
import { estimateWholeJob } from '../../shared/domain/job-estimate.js';

export type PlanHandlers = Pick<Handlers, 'jobs.plan'>;

export interface PlanDeps {
  engine: Pick<Engine, 'defaultModel'>;
  /** Jobs the daemon knows (newest last or first: the newest by startedAt is picked). */
  jobs: () => readonly Job[];
  /** Bundle manifest of a model; default: resolveModelDir + readManifest. */
  manifest?: (model: string) => Promise<Manifest>;
  /** Pixel size from the image header; default: sharp metadata. */
  imageSize?: (path: string) => Promise<{ width: number; height: number }>;
  /** The job's memory plan (residency/memory-admission.ts); absent: no memory field (the fake engine). */
  memory?: (manifest: Manifest, bucket: { width: number; height: number }, windowSize: number, loraBytes: number) => Promise<PlannedMemory>;
}

/** INVALID_PARAMS naming one field, in the shape jobs.submit uses (detail.issues). */
/** The plan's LoRAs checked as submit checks them (INVALID_PARAMS on `loras`), and the bytes their branches add. */
async function planLoraBytes(manifest: Manifest, loras: JobPlanParams['loras']): Promise<number> {
  if (!loras?.length) return 0;
  for (const l of loras) if (!path.isAbsolute(l.path)) throw invalidField('loras', `${l.path}: the LoRA path must be absolute`);
  try {
    return checkedLoraBytes(manifest, await checkLoras({ manifest }, loras));
  } catch (err: unknown) {
    if (err instanceof LoraError) throw invalidField('loras', err.message);
    throw err;
  }
}

export function invalidField(field: string, problem: string): RpcError {
  return new RpcError('INVALID_PARAMS', `${field}: ${problem}`, { detail: { issues: [{ path: [field], code: 'custom', message: problem }] } });
}

/** The upright size from the header, after the same checks jobs.submit makes (inspectInputImage). */
async function headerSize(file: string): Promise<{ width: number; height: number }> {
  return (await inspectInputImage(file)).upright;
}

/**
 * The newest measured s/step of `model` (from a job with the same window when there is one), and
 * the whole-job estimate: from the newest finished job of the model with a timing summary (same
 * window first), else from that step rate (shared/domain/job-estimate.ts).
 */
export function measuredEstimate(jobs: readonly Job[], model: string, defaultModel: string, window: number, steps: number, sections: number): PlanEstimate | null {
  const newestFirst = jobs
    .filter((j) => (j.spec.model ?? defaultModel) === model)
    .sort((a, b) => (b.startedAt ?? b.createdAt).localeCompare(a.startedAt ?? a.createdAt));
  const measured = newestFirst.filter((j) => j.progress?.step && j.progress.step.secPerStep > 0);
  const pick = measured.find((j) => j.spec.window === window) ?? measured[0];
  const timed = newestFirst.filter((j) => j.state === 'succeeded' && j.timing && j.timing.sectionSampleMs.length > 0);
  const timedPick = timed.find((j) => j.spec.window === window) ?? timed[0];
  const whole = timedPick
    ? estimateWholeJob({ steps: timedPick.progress?.step?.steps ?? timedPick.spec.steps ?? steps, timing: timedPick.timing, secPerStep: null }, { sections, steps })
    : pick ? estimateWholeJob({ steps, timing: null, secPerStep: pick.progress!.step!.secPerStep }, { sections, steps }) : null;
  const job = whole ? { ...whole, measuredOn: (timedPick ?? pick)!.id } : undefined;
  if (!pick) return null;
  const secPerStep = pick.progress!.step!.secPerStep;
  return { secPerStep, measuredOn: pick.id, sameWindow: pick.spec.window === window, sectionSeconds: secPerStep * steps, samplingSeconds: secPerStep * steps * sections, ...(job ? { job } : {}) };
}

/** The wire result from a layout (pure). */
export function planResult(spec: PipelineSpec, manifest: Manifest, layout: JobLayout, estimate: PlanEstimate | null, memory?: PlannedMemory): JobPlanResult {
  const imageEmbedding = siglipPatchesPerSide(siglipConfigSchema.parse(manifest.components.image_encoder.config)) ** 2;
  const { plan, schedule } = layout;
  return {
    model: spec.model,
    mode: plan.mode,
    input: layout.input,
    bucket: { width: layout.bucket.widthPx, height: layout.bucket.heightPx },
    bucketClass: { resolution: layout.bucketClass.resolution, native: layout.bucketClass.native, offDistribution: layout.bucketClass.offDistribution },
    latent: layout.latent,
    window: plan.latentWindowSize,
    sections: plan.sections.map((s) => ({
      generationIndex: s.generationIndex,
      displayIndex: s.displayIndex,
      latentPadding: s.latentPadding,
      isLast: s.isLast,
      indices: { latent: s.indices.latent, clean: s.indices.clean, clean2x: s.indices.clean2x, clean4x: s.indices.clean4x },
      newLatentFrames: s.newLatentFrames,
      tokens: { noisy: s.tokens.noisy, clean: s.tokens.clean, clean2x: s.tokens.clean2x, clean4x: s.tokens.clean4x, imageSide: s.tokens.imageSide, imageEmbedding },
      framesAfter: s.decode.totalFrames,
    })),
    displayOrder: [...plan.sections].sort((a, b) => a.displayIndex - b.displayIndex).map((s) => s.generationIndex),
    totalLatentFrames: plan.totalLatentFrames,
    totalFrames: plan.totalFrames,
    fps: plan.fps,
    durationSeconds: plan.durationSeconds,
    sampler: spec.sampler,
    steps: spec.steps,
    shift: schedule.shift,
    mu: schedule.mu,
    sigmas: Array.from(schedule.sigmas),
    estimate,
    ...(memory ? { memory } : {}),
  };
}

/** jobs.plan's directing params as the pipeline spec's (the image files are only named, never read here). */
function planDirectingInput(p: JobPlanParams): Partial<JobSpecInput> {
  return {
    ...(p.prompt !== undefined ? { prompt: p.prompt } : {}),
    ...(p.promptBlend !== undefined ? { promptBlend: p.promptBlend } : {}),
    ...(p.endImage !== undefined ? { endImagePath: p.endImage } : {}),
    ...(p.endStrength !== undefined ? { endStrength: p.endStrength } : {}),
    ...(p.keyframes?.length ? { keyframes: p.keyframes.map((k) => ({ seconds: k.seconds, imagePath: k.image })) } : {}),
  };
}

export function planHandlers(deps: PlanDeps): PlanHandlers {
  const manifestOf = deps.manifest ?? (async (model: string) => readManifest(await resolveModelDir(model)));
  const sizeOf = deps.imageSize ?? headerSize;
  return {
    'jobs.plan': async (p: JobPlanParams) => {
      const model = p.model ?? deps.engine.defaultModel;
      let manifest: Manifest;
      try {
        manifest = await manifestOf(model);
      } catch (err: unknown) {
        const message = err instanceof UnknownModelError ? err.message : `cannot read bundle '${model}': ${(err as Error).message.split('\n')[0]}`;
        throw new RpcError('MODEL_MISSING', message, { detail: { model } });
      }
      let size: { width: number; height: number };
      try {
        size = await sizeOf(p.image);
      } catch (err: unknown) {
        // The same words jobs.submit uses for the same image (an 8193×8192 image is refused by both).
        if (err instanceof InputImageError) throw invalidField('image', err.message);
        throw invalidField('image', `cannot read the image header of ${p.image}: ${(err as Error).message.split('\n')[0]}`);
      }
      let spec: PipelineSpec;
      try {
        spec = resolveJobSpec({
          imagePath: p.image, prompt: '',
          ...(p.seconds !== undefined ? { seconds: p.seconds } : {}), ...(p.window !== undefined ? { windowSize: p.window } : {}),
          ...(p.mode !== undefined ? { mode: p.mode } : {}), ...(p.steps !== undefined ? { steps: p.steps } : {}),
          ...(p.shift !== undefined ? { shift: p.shift } : {}), ...(p.sampler !== undefined ? { sampler: p.sampler } : {}),
          ...(p.resolution !== undefined ? { resolution: p.resolution } : {}),
          ...planDirectingInput(p),
        }, manifest, model);
      } catch (err: unknown) {
        if (err instanceof JobSpecError) throw invalidField(err.flag.replace(/^--/, ''), err.problem);
        throw err;
      }
      const loraBytes = await planLoraBytes(manifest, p.loras);
      const layout = layoutJob(spec, manifest, size);
      const estimate = measuredEstimate(deps.jobs(), model, deps.engine.defaultModel, spec.windowSize, spec.steps, layout.plan.sectionCount);
      const memory = deps.memory ? await deps.memory(manifest, { width: layout.bucket.widthPx, height: layout.bucket.heightPx }, spec.windowSize, loraBytes) : undefined;
      // A directed job's rows (which prompt, anchor and end weight each section gets); checked above by resolveJobSpec.
      const directing = directingFor(spec);
      return { ...planResult(spec, manifest, layout, estimate, memory), ...(isPlainDirecting(directing) ? {} : { directing: directingSummary(spec, directing) }) };
    },
  };
}
