// The memory check at submit, around an engine's own validate: after the engine accepted the job
// (model known, image readable, values valid), the job's memory plan must fit what the device can
// give, or the job is refused with OUT_OF_MEMORY and the numbers — before it is queued, so it never
// dies midway. jobs.plan uses planJobMemory for the same figures.
import sharp from 'sharp';
import type { ComponentId, ComponentStatus, JobSpec, PlannedMemory } from '../../shared/protocol/index.js';
import { nearestBucket } from '../engine/buckets.js';
import { bucketClass } from '../engine/bucket-class.js';
import { JobRejected, type Engine, type EngineJob } from '../engine/engine.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { ManifestCache } from '../models/bundle/manifest-cache.js';
import { resolveModelDir } from '../engine/pipeline/model-location.js';
import { availableForJob, readDevice, type DeviceReading } from './device-memory.js';
import { checkJobMemory } from './job-memory.js';
import { DEFAULT_VAE_TILING, vaeTilingSettingFromEnv, type VaeTilingSetting } from '../engine/pipeline/vae-tiling-plan.js';
import { PLAN_COMPONENTS, type PlanDecision } from './memory-plan.js';
import { loraBranchBytes } from '../models/lora/lora-memory.js';

export interface MemoryAdmissionDeps {
  manifest(model: string): Promise<Manifest>;
  device(): Promise<DeviceReading>;
  /** Bytes of the components this daemon holds now (budgeted: VRAM on a GPU, RAM on the CPU). */
  heldBytes(): number;
  preserveBytes: number;
  /** --device-memory; 0 = the device's own total. */
  deviceMemoryBytes: number;
  /** Pixel size from the image header; default: sharp metadata (EXIF-rotated as decoded). */
  imageSize?(path: string): Promise<{ width: number; height: number }>;
}

export interface JobMemoryPlan {
  decision: PlanDecision;
  bucket: { width: number; height: number };
  windowSize: number;
  device: DeviceReading;
}

async function headerSize(file: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(file).metadata();
  if (!meta.width || !meta.height) throw new Error(`${file}: the image header has no size`);
  return (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/** The VAE tiling the job will use (FRAMEPACK_VAE_TILING / _BUDGET_MB, as the job plan reads them); a bad value fails the job itself with its own message, so the plan assumes the default. */
function vaeTilingForPlan(): VaeTilingSetting {
  try {
    return vaeTilingSettingFromEnv(process.env);
  } catch {
    return DEFAULT_VAE_TILING;
  }
}

/** The plan for a job whose bucket is known (jobs.plan, `framepack plan`); `loraBytes`: its LoRA branches (lora-memory.ts). */
export async function planJobMemory(deps: MemoryAdmissionDeps, manifest: Manifest, bucket: { width: number; height: number }, windowSize: number, loraBytes = 0): Promise<JobMemoryPlan> {
  const device = await deps.device();
  const available = availableForJob(device, { preserveBytes: deps.preserveBytes, heldBytes: deps.heldBytes(), deviceMemoryBytes: deps.deviceMemoryBytes });
  return { decision: checkJobMemory(manifest, bucket, windowSize, available, undefined, vaeTilingForPlan(), loraBytes), bucket, windowSize, device };
}

/** What the memory plan reads of a job: its image (absent for an extension), window, bucket class and LoRAs. */
export type MemorySpec = Partial<Pick<JobSpec, 'image' | 'window' | 'resolution' | 'loras'>>;

/** The plan for a submitted (or to-be-submitted) job: its bucket from the image header, its window or the bundle's. */
export async function jobMemoryPlan(deps: MemoryAdmissionDeps, spec: MemorySpec, model: string): Promise<JobMemoryPlan> {
  const manifest = await deps.manifest(model);
  const table = bucketClass(manifest.buckets.map((x) => ({ heightPx: x.height, widthPx: x.width })), spec.resolution ?? null, manifest.latent.spatialCompression * Math.max(manifest.patchSize[1], manifest.patchSize[2])).buckets;
  // An extension without its image yet (submit): the model's default bucket, scaled to the class.
  const size = spec.image !== undefined ? await (deps.imageSize ?? headerSize)(spec.image) : manifest.defaultBucket;
  const b = nearestBucket(size.height, size.width, table);
  return planJobMemory(deps, manifest, { width: b.widthPx, height: b.heightPx }, spec.window ?? manifest.defaults.windowSize, await loraBranchBytes(manifest, spec.loras));
}

/** Throws JobRejected('memory', …, 'OUT_OF_MEMORY') when the job's plan does not fit. */
export async function assertJobFitsMemory(deps: MemoryAdmissionDeps, spec: MemorySpec, model: string): Promise<JobMemoryPlan> {
  const plan = await jobMemoryPlan(deps, spec, model);
  if (!plan.decision.fits) {
    throw new JobRejected('memory', `on ${plan.device.device} at ${plan.bucket.width}×${plan.bucket.height}, window ${plan.windowSize}: ${plan.decision.reason}`, 'OUT_OF_MEMORY');
  }
  return plan;
}

/** The plan a job starts under: its kind and each component's weight bytes on the device under it (counted against the residency budget). */
export interface StartPlan {
  kind: NonNullable<EngineJob['memoryPlan']>;
  weightBytes: Partial<Record<ComponentId, number>>;
}

/**
 * The plan a job runs under, chosen when it starts (the components this daemon holds count as
 * available, as at submit): the first executable plan that fits; when none fits any more (memory
 * shrank since submit) the executable one with the smallest peak, so the job gets its best chance.
 */
export async function startPlan(deps: MemoryAdmissionDeps, spec: MemorySpec, model: string): Promise<StartPlan> {
  const d = (await jobMemoryPlan(deps, spec, model)).decision;
  const plan = d.fits ? d.plan : d.executableBest;
  if (!plan) throw new Error('no executable memory plan');
  const kind = plan.kind;
  const weightBytes: StartPlan['weightBytes'] = {};
  for (const c of PLAN_COMPONENTS) weightBytes[RESIDENCY_COMPONENT[c]] = plan.components[c].deviceWeightBytes;
  return { kind, weightBytes };
}

/** The residency component that holds each plan component (tokenizers ride with their encoders). */
const RESIDENCY_COMPONENT = {
  text_encoder: 'text-encoder', text_encoder_2: 'text-encoder-2', image_encoder: 'image-encoder', vae: 'vae', transformer: 'transformer',
} as const satisfies Record<(typeof PLAN_COMPONENTS)[number], ComponentId>;

/** The engine with the memory check after its own validate (the daemon wraps its real engine; the fake one has no bundle). */
export function withMemoryAdmission<E extends Pick<Engine, 'validate'>>(engine: E, deps: MemoryAdmissionDeps): E {
  const validate = engine.validate.bind(engine);
  engine.validate = async (spec, model, extension) => {
    await validate(spec, model, extension);
    await assertJobFitsMemory(deps, spec, model);
  };
  return engine;
}

/** The wire shape (PlannedMemory): the chosen plan, or when none fits the smallest the engine can run, with the refusal. */
export function memoryView(p: JobMemoryPlan): PlannedMemory {
  const d = p.decision;
  const plan = d.fits ? d.plan : (d.executableBest ?? d.best);
  return {
    kind: plan.kind, groups: plan.groups, fits: d.fits, reason: d.fits ? null : d.reason, device: p.device.device,
    peakBytes: plan.peakBytes, availableBytes: d.availableBytes, bytesMovedPerCall: plan.bytesMovedPerCall,
    components: PLAN_COMPONENTS.map((component) => ({
      component, weightBytes: plan.components[component].deviceWeightBytes, activationBytes: plan.components[component].activationBytes, peakBytes: plan.components[component].peakBytes,
    })),
  };
}

/** The daemon's deps: bundles from the models folder, the engine's device (FRAMEPACK_EP), the scheduler's resident components. */
export function daemonMemoryDeps(opts: { preserveBytes: number; deviceMemoryBytes: number; resident: () => readonly ComponentStatus[] }): MemoryAdmissionDeps {
  // Read at every submit and job start: parsed once per manifest version.
  const manifests = new ManifestCache();
  return {
    manifest: async (model) => manifests.read(await resolveModelDir(model)),
    device: () => readDevice(process.env.FRAMEPACK_EP !== undefined && process.env.FRAMEPACK_EP !== 'cpu'),
    heldBytes: () => opts.resident().filter((c) => c.state === 'loaded').reduce((a, c) => a + (c.device === 'cpu' ? c.ramBytes : c.vramBytes), 0),
    preserveBytes: opts.preserveBytes,
    deviceMemoryBytes: opts.deviceMemoryBytes,
  };
}
