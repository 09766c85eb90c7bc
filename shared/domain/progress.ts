// Progress shapes shared by the protocol's events and the TUI's view models: the pipeline stage,
// the section being generated (generation vs display order, because inverted mode renders the end
// first), per-step timing and the final timing summary (PEERS.md §C4.4).
import { z } from 'zod';

const Count = z.number().int().nonnegative();
const Ms = z.number().nonnegative();

/**
 * Pipeline stages in the order a job normally passes them. Each section goes through sample,
 * vae-decode, append (soft-append onto the video so far) and, with partial videos on, mux (its
 * partial MP4); after the last section, mux writes the final video.
 */
export const Stage = z.enum(['load-models', 'text-encode', 'image-encode', 'vae-encode', 'sample', 'vae-decode', 'append', 'mux']);
export type Stage = z.infer<typeof Stage>;

/** Each stage as people read it (CLI progress lines, the dashboard). */
export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  'load-models': 'loading models', 'text-encode': 'encoding the prompt', 'image-encode': 'encoding the image',
  'vae-encode': 'encoding the start frame', sample: 'sampling', 'vae-decode': 'decoding frames', append: 'appending frames',
  mux: 'encoding video',
};

/** A section as it starts: its place in generation order and in the final video's time order. */
export const SectionPosition = z.object({
  /** 0-based index in generation order. */
  index: Count,
  /** 0-based index in display (time) order; inverted mode generates the last section first. */
  displayIndex: Count,
  /** Number of sections in the job. */
  total: z.number().int().positive(),
});
export type SectionPosition = z.infer<typeof SectionPosition>;

/** One finished sampler step. */
export const StepProgress = z.object({
  /** Section index in generation order. */
  section: Count,
  /** 1-based step just finished. */
  step: z.number().int().positive(),
  steps: z.number().int().positive(),
  /** Seconds per step, smoothed over the section so far. */
  secPerStep: z.number().nonnegative(),
  /**
   * Estimated time left in this section / the whole job, in ms: from the measured wall time of
   * finished sections, all stages (shared/domain/eta.ts); in the first section, from the step rate.
   */
  etaSectionMs: Ms,
  etaJobMs: Ms,
});
export type StepProgress = z.infer<typeof StepProgress>;

/** Where a running job is; kept on the Job so a snapshot shows it without replaying events. */
export const JobProgress = z.object({
  stage: Stage,
  section: SectionPosition.nullable(),
  step: StepProgress.nullable(),
  /** Pixel frames and seconds of video decoded so far. */
  frames: Count,
  seconds: z.number().nonnegative(),
  /** Estimated time left in the job, ms (shared/domain/eta.ts); absent until something was measured. */
  etaJobMs: Ms.optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/** Timing summary on a job's terminal event (ollama's *_duration fields). */
export const TimingSummary = z.object({
  totalMs: Ms,
  queuedMs: Ms,
  loadMs: Ms,
  encodeMs: Ms,
  /** Sampling time of each section, generation order. */
  sectionSampleMs: z.array(Ms),
  decodeMs: Ms,
  muxMs: Ms,
  /** Peak memory while the job ran; null when not measured (no GPU). */
  peakVramBytes: Count.nullable(),
  peakRamBytes: Count.nullable(),
});
export type TimingSummary = z.infer<typeof TimingSummary>;
