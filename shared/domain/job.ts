// Jobs as the protocol carries them: the generation parameters (JobSpec, validated up front by
// jobs.submit), the lifecycle state and the Job record returned by jobs.get/list and snapshots.
// Defaults follow the official demo (FRAMEPACK.md §1); schemas are transform-free so a Job echoed
// by the daemon re-validates unchanged.
import { z } from 'zod';
import { KeepAlive } from './keep-alive.js';
import { ModelName } from './model.js';
import { JobProgress, TimingSummary } from './progress.js';
import { LoraRef, MAX_LORAS } from './lora.js';

/** Daemon-assigned job id. */
export const JobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'job ids are 1–64 letters, digits, "_" or "-"')
  .meta({ description: 'Job id assigned by jobs.submit' });
export type JobId = z.infer<typeof JobId>;

const Path = z.string().min(1).max(4096);

export const Sampler = z.enum(['unipc', 'unipc-bh2', 'euler']);
export type Sampler = z.infer<typeof Sampler>;

/** Which cache skips transformer blocks: TeaCache (official), MagCache (FramePack-Studio's default) or none. */
export const StepCache = z.enum(['tea', 'mag', 'off']);
export type StepCache = z.infer<typeof StepCache>;

/** Generation order: inverted anti-drifting (official), F1 forward, or vanilla (recent frames only: the drift baseline). */
export const GenerationMode = z.enum(['inverted', 'f1', 'vanilla']);
export type GenerationMode = z.infer<typeof GenerationMode>;

/** Maximum video length the official UI allows, in seconds. */
export const MAX_SECONDS = 120;
/** Largest seed: JSON numbers are doubles, so stay within the exactly representable integers. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Most sampler steps per section (the official UI's slider ends at 100). */
export const MAX_STEPS = 100;
/** Largest gs and cfg (the official UI's sliders end at 32). */
export const MAX_GUIDANCE = 32;

/** Everything needed to run one generation; jobs.submit's params. Strict: a misspelt field is an error, not a silent default. */
export const JobSpec = z.strictObject({
  /** Start image (PNG/JPEG/WebP), absolute path on the daemon's machine; absent only for an extension (its source's last frame stands in). */
  image: Path.optional(),
  prompt: z.string().max(20_000),
  /** Negative prompt; only used when cfg > 1. */
  negativePrompt: z.string().max(20_000).default(''),
  /** Video length in seconds, 0 < seconds ≤ 120. */
  seconds: z.number().gt(0).max(MAX_SECONDS).default(5),
  seed: z.number().int().min(0).max(MAX_SEED).default(31337),
  /** Sampler steps per section, 1–100 (the CLI's and the settings' limits, so all ends agree). */
  steps: z.number().int().min(1).max(MAX_STEPS).default(25),
  /** Distilled guidance scale (official `gs`), 0–32. */
  gs: z.number().min(0).max(MAX_GUIDANCE).default(10),
  /** Real CFG scale (official `cfg`), 1–32; 1 = no negative pass (below 1 is not a CFG the sampler knows). */
  cfg: z.number().min(1).max(MAX_GUIDANCE).default(1),
  /** Guidance rescale (official `rs`), 0..1. */
  rs: z.number().min(0).max(1).default(0),
  /** Latent window size (official `latent_window_size`). */
  window: z.number().int().min(1).max(33).default(9),
  /** Flow shift; absent = derived from the sequence length as the official sampler does. */
  shift: z.number().gt(0).max(100).optional(),
  sampler: Sampler.default('unipc'),
  mode: GenerationMode.default('inverted'),
  /** The old cache switch: used only when `cache` is absent (true → 'tea', false → 'off'). */
  teacache: z.boolean().default(true),
  /** TeaCache threshold; absent = the bundle's default (official 0.15). */
  teacacheThreshold: z.number().gt(0).max(10).optional(),
  /** Step cache: TeaCache, MagCache (needs the bundle calibrated: `framepack models calibrate`) or none; given, it wins over `teacache`. */
  cache: StepCache.optional(),
  /** MagCache accumulated-error threshold; absent = 0.1 (FramePack-Studio's default). */
  magcacheThreshold: z.number().gt(0).max(10).optional(),
  /** MagCache's most consecutive skipped steps; absent = 2. */
  magcacheMaxSkips: z.number().int().min(0).max(100).optional(),
  /** MagCache retention: the first ⌊ratio·steps⌋ steps always compute; absent = 0.25. */
  magcacheRetention: z.number().min(0).max(1).optional(),
  /** Write the whole video so far after every section (partial MP4s); false = only the final video. */
  partials: z.boolean().default(true),
  /** x264 CRF of the output, 0..51 (official default 16). */
  crf: z.number().int().min(0).max(51).default(16),
  /** Model bundle; absent = the daemon's default model. */
  model: ModelName.optional(),
  /** LoRAs applied to the transformer, in order, each with its strength (docs/lora.md); absent or [] = none. */
  loras: z.array(LoraRef).max(MAX_LORAS).optional(),
  /** Output .mp4 path (absolute; its folder must exist); absent = the daemon's output directory. */
  out: Path.optional(),
  /** Replace a file at `out` that framepack did not write (without it such a submit is refused). */
  overwrite: z.boolean().optional(),
  /** keepAlive for the components this job loads; absent = the daemon's default. */
  keepAlive: KeepAlive.optional(),
  /** Put the job at the front of the queue instead of the back. */
  front: z.boolean().default(false),
  /** Bucket class (`--resolution`): the model's table scaled to this size class; absent = the model's own (640 for the official weights). Other classes are off-distribution. */
  resolution: z.number().int().min(32).max(2048).optional(),
  /** Continue this video (absolute path): its last frames are VAE-encoded into the history and the output is the whole video plus `seconds` more, in F1 order. */
  extend: Path.optional(),
  /** Frames of `extend` to encode as context, 1–73 (rounded down to 1 + 4k); absent = 73 or the whole video. */
  extendContext: z.number().int().min(1).max(73).optional(),
  /** Continue a finished job of this daemon from its stored latent history (`<output>.latents`), nothing re-encoded. */
  extendJob: JobId.optional(),
  /** Directing (docs/directing.md). The prompt may use timestamps, `[0s: …] [2.5s-4s: …]`; this blends each change over N sections. */
  promptBlend: z.number().int().min(0).max(100).optional(),
  /** End image (absolute path; inverted mode only): the video ends near it. The start image again makes a loop. */
  endImage: Path.optional(),
  /** How strongly the end image acts, 0..1 (default 1); needs endImage. */
  endStrength: z.number().min(0).max(1).optional(),
  /** Images anchoring the section shown at `seconds` and later ones (inverted mode only; one per section). */
  keyframes: z.array(z.strictObject({ seconds: z.number().min(0).max(MAX_SECONDS), image: Path })).max(64).optional(),
}).superRefine((s, ctx) => {
  const extending = s.extend !== undefined || s.extendJob !== undefined;
  if (s.image === undefined && !extending) ctx.addIssue({ code: 'custom', path: ['image'], message: 'image is required (unless the job extends a video or a job)' });
  if (s.image !== undefined && extending) ctx.addIssue({ code: 'custom', path: ['image'], message: 'an extension continues from its source\'s last frame; leave image out' });
  if (s.extend !== undefined && s.extendJob !== undefined) ctx.addIssue({ code: 'custom', path: ['extendJob'], message: 'extend and extendJob contradict each other (one source per job)' });
  if (s.extendContext !== undefined && s.extend === undefined) ctx.addIssue({ code: 'custom', path: ['extendContext'], message: 'extendContext needs extend (a video)' });
  if (extending && s.mode !== 'f1' && s.mode !== undefined && s.mode !== 'inverted') ctx.addIssue({ code: 'custom', path: ['mode'], message: 'an extension runs in f1 order' });
});
/** What a job starts from, for lists and titles: the image's path, the extended video's, or `job <id>`. */
export function jobSourcePath(spec: { image?: string | undefined; extend?: string | undefined; extendJob?: string | undefined }): string {
  return spec.image ?? spec.extend ?? `job ${spec.extendJob ?? '?'}`;
}

/** JobSpec after defaults (what the daemon stores and echoes). */
export type JobSpec = z.output<typeof JobSpec>;
/** JobSpec as a client may send it (defaults optional). */
export type JobSpecInput = z.input<typeof JobSpec>;

export const TERMINAL_JOB_STATES = ['succeeded', 'failed', 'cancelled'] as const;
export const JobState = z.enum(['queued', 'running', ...TERMINAL_JOB_STATES]);
export type JobState = z.infer<typeof JobState>;

export function isTerminalJobState(state: JobState): boolean {
  return (TERMINAL_JOB_STATES as readonly string[]).includes(state);
}

/** Cancel now (at the next step) or after the running section finishes (keeps it in the output). */
export const CancelWhen = z.enum(['now', 'after-section']);
export type CancelWhen = z.infer<typeof CancelWhen>;

const IsoTime = z.iso.datetime({ offset: true });

/** The ranges of steps, gs and cfg before they were tightened to the CLI's (see Job.spec). */
const RECORDED_SPEC_RANGES = {
  steps: z.number().int().min(1).max(1000).default(25),
  gs: z.number().min(0).max(100).default(10),
  cfg: z.number().min(0).max(100).default(1),
};

/** A job as the daemon reports it. */
export const Job = z.object({
  id: JobId,
  /**
   * The spec after defaults (unknown keys stripped so a newer daemon's extra fields don't break
   * older clients). steps, gs and cfg keep the wider ranges earlier versions accepted (steps ≤ 1000,
   * gs and cfg 0–100): a journaled job from then is history, replayed as it ran, not journal damage.
   */
  spec: z.object({ ...JobSpec.shape, ...RECORDED_SPEC_RANGES }),
  state: JobState,
  /** 0-based place in the queue while queued, else null. */
  position: z.number().int().nonnegative().nullable(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  /** Latest progress while running (kept after the end for display). */
  progress: JobProgress.nullable(),
  /** Set once a cancel was requested and not yet honoured. */
  cancelRequested: CancelWhen.nullable(),
  /** Final mp4 once succeeded. */
  outputPath: Path.nullable(),
  /** Newest partial mp4 (kept on failure or cancel). */
  partialPath: Path.nullable(),
  /** Why it failed, as a wire error (code, message). */
  error: z.object({ code: z.string().max(64), message: z.string().max(10_000) }).nullable(),
  timing: TimingSummary.nullable(),
});
export type Job = z.infer<typeof Job>;
