// The seam between the daemon and whatever generates video (STYLE.md §3.3 conv. 8): the job runner
// and the residency scheduler talk only to this interface. Two implementations ship: the real one
// over the ONNX pipeline (framepack-engine.ts) and a deterministic fake with scripted timing,
// memory and failures (fake-engine.ts) that runs the whole daemon in CI without models.
import type { ComponentId, JobSpec, Stage } from '../../shared/protocol/index.js';

/** What one resident component holds, as `framepack ps` reports it. */
export interface ComponentFootprint {
  device: string;
  vramBytes: number;
  ramBytes: number;
}

/** Progress an engine reports while it runs one job (the runner adds jobId and forwards them). */
export type EngineEvent =
  | { type: 'stage'; stage: Stage; detail?: string }
  | { type: 'section.started'; index: number; displayIndex: number; total: number }
  | { type: 'step'; section: number; step: number; steps: number; secPerStep: number; etaSectionMs: number; etaJobMs: number }
  | { type: 'preview'; section: number; path: string; frames: number; kind: 'latent' | 'frame' }
  | { type: 'section.done'; index: number; displayIndex: number; total: number; partialPath: string; frames: number; seconds: number; sampleMs: number };

/**
 * State saved after each finished section so a job interrupted by a crash, a shutdown or a
 * cancel-after-section resumes from there. `state` is engine-owned JSON (for the real engine: the
 * history latents file and the RNG state); the runner stores it without looking inside.
 */
export interface SectionCheckpoint {
  /** Sections finished, in generation order. */
  sectionsDone: number;
  total: number;
  partialPath: string | null;
  frames: number;
  seconds: number;
  /** Sampling time of each finished section, ms. */
  sectionSampleMs: number[];
  state: unknown;
}

/** One job as the engine sees it: the spec after defaults, with the model resolved and the input copied. */
export interface EngineJob {
  id: string;
  spec: JobSpec;
  model: string;
  /** The job's copy of the input image (inside the job folder). */
  imagePath: string;
  /** The job's copies of its end and keyframe images (directing-spec.ts); absent = the spec's own paths. */
  directing?: { endImage?: string; keyframes: string[] };
  /** The job folder in the data dir: partials, previews and checkpoint files go here. */
  jobDir: string;
  /** Where the final video must end up. */
  outputPath: string;
  /**
   * How the job holds its components (residency/memory-plan.ts, chosen when the job starts):
   * 'release-encoders' loads each encoder for its conditioning call and releases it after;
   * 'stream-blocks' does the same and runs the transformer's blocks as the bundle's block groups,
   * one group's session at a time (streamed-blocks.ts); absent = all resident.
   */
  memoryPlan?: 'all-resident' | 'release-encoders' | 'stream-blocks';
  /** An extension's source: the job's copy of the video, or a finished job's stored latents. */
  extension?: EngineExtension;
}

/** Where an extension starts (extension-source.ts): a video to encode, or a finished job's `<stem>.latents`. */
export type EngineExtension = { video: string } | { latents: string };

export interface EngineRunContext {
  /** Aborted for cancel-now and on errors elsewhere; the engine stops at the next step. */
  signal: AbortSignal;
  /** Polled after each section: true = stop cleanly now that the section is checkpointed (cancel after section, daemon shutdown). */
  stopAfterSection(): boolean;
  onEvent(event: EngineEvent): void;
  /** Where to continue from, or null for a fresh start. */
  resume: SectionCheckpoint | null;
  /** Persist a checkpoint; the engine awaits it before starting the next section. */
  checkpoint(checkpoint: SectionCheckpoint): Promise<void>;
  /** Take a residency lease on a component (loads it on first use); released by the runner when the job ends. */
  acquire(component: ComponentId): Promise<void>;
  /**
   * Give a lease back before the job ends and unload the component now, whatever its keep-alive
   * (the memory plan needs the room); `detail` is the logged and published reason. The next job loads it again.
   */
  release(component: ComponentId, detail: string): Promise<void>;
}

export type EngineOutcome =
  | { outcome: 'succeeded'; outputPath: string; frames: number; seconds: number }
  /** stopAfterSection() returned true; the last checkpoint holds the progress. */
  | { outcome: 'stopped'; sectionsDone: number };

/** A field problem found at submit; becomes INVALID_PARAMS (or MODEL_MISSING, or OUT_OF_MEMORY for a job the device cannot hold) with the field path. */
export class JobRejected extends Error {
  override readonly name = 'JobRejected';
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly code: 'INVALID_PARAMS' | 'MODEL_MISSING' | 'OUT_OF_MEMORY' = 'INVALID_PARAMS',
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Thrown by load() or run() when memory ran out; the scheduler evicts everything else and retries once. */
export class EngineOutOfMemory extends Error {
  override readonly name = 'EngineOutOfMemory';
}

export interface Engine {
  readonly name: string;
  /** The model used when a job names none. */
  readonly defaultModel: string;
  /** Model bundles this engine can run. */
  listModels(): Promise<string[]>;
  /** Components of a model, in load order. */
  components(model: string): readonly ComponentId[];
  /** Expected footprint before loading, for the memory budget. */
  estimate(model: string, component: ComponentId): ComponentFootprint;
  /** Check a job before it is queued: model known, image (or extension source) readable, values the model accepts. Throws JobRejected. */
  validate(spec: JobSpec, model: string, extension?: EngineExtension): Promise<void>;
  load(model: string, component: ComponentId, signal?: AbortSignal): Promise<ComponentFootprint>;
  unload(model: string, component: ComponentId): Promise<void>;
  run(job: EngineJob, ctx: EngineRunContext): Promise<EngineOutcome>;
}
