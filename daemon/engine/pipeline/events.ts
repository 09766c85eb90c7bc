// The events a generation job reports, in order: stage …, job.planned, then per section
// section.started, step (and preview) per sampling step, section.done; finally exactly one of
// job.succeeded / job.failed. Plain JSON-able objects except the preview's pixels.

export type PipelineStage = 'loading-models' | 'preparing-image' | 'text-encoding' | 'vae-encoding' | 'image-encoding' | 'sampling' | 'decoding' | 'writing-video';

export interface StageEvent { type: 'stage'; stage: PipelineStage; message: string }

export interface PlannedEvent {
  type: 'job.planned';
  bucket: { width: number; height: number };
  sections: number;
  steps: number;
  totalFrames: number;
  seconds: number;
  fps: number;
}

export interface SectionStartedEvent {
  type: 'section.started';
  /** 1-based position in generation order. */
  section: number;
  sections: number;
  /** 0-based position of this window in the final video (inverted renders the end first). */
  displayIndex: number;
  latentPadding: number;
}

export interface StepEvent {
  type: 'step';
  section: number;
  sections: number;
  /** 1-based. */
  step: number;
  steps: number;
  /** Mean wall time per step so far in this job. */
  secondsPerStep: number;
  /** Remaining sampling time of the job at that rate. */
  etaSeconds: number;
  /** Whether TeaCache skipped the transformer blocks on this step's call(s). */
  teacacheSkipped: boolean;
}

export interface PreviewEvent {
  type: 'preview';
  section: number;
  step: number;
  width: number;
  height: number;
  /** Interleaved RGB, height × width × 3 (latent-preview.ts). */
  rgb: Uint8Array;
}

export interface SectionDoneEvent {
  type: 'section.done';
  section: number;
  sections: number;
  /** The whole video so far, or null when partial videos are turned off. */
  partialVideo: string | null;
  frames: number;
  seconds: number;
  teacache: { computed: number; skipped: number };
}

export interface SucceededEvent {
  type: 'job.succeeded';
  output: string;
  sidecar: string;
  frames: number;
  seconds: number;
  wallSeconds: number;
}

export interface FailedEvent { type: 'job.failed'; error: string }

export type PipelineEvent = StageEvent | PlannedEvent | SectionStartedEvent | StepEvent | PreviewEvent | SectionDoneEvent | SucceededEvent | FailedEvent;
