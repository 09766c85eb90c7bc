// The events a generation job reports, in order: stage …, job.planned, then per section
// section.started, stage sampling, step (and preview) per sampling step, stage decoding, stage
// appending (soft-append onto the video so far, from the second section on), stage writing-video
// (its partial MP4, unless partials are off), section.done; then stage writing-video for the
// final MP4 and exactly one of job.succeeded / job.failed. Plain JSON-able objects except the
// preview's pixels.

import type { Stage } from '../../../shared/domain/progress.js';

export type PipelineStage = 'loading-models' | 'preparing-image' | 'text-encoding' | 'vae-encoding' | 'image-encoding' | 'sampling' | 'decoding' | 'appending' | 'writing-video';

/** The protocol's name of each pipeline stage. */
export const PIPELINE_STAGE: Readonly<Record<PipelineStage, Stage>> = {
  'loading-models': 'load-models', 'preparing-image': 'image-encode', 'text-encoding': 'text-encode', 'vae-encoding': 'vae-encode',
  'image-encoding': 'image-encode', sampling: 'sample', decoding: 'vae-decode', appending: 'append', 'writing-video': 'mux',
};

export interface StageEvent {
  type: 'stage';
  stage: PipelineStage;
  message: string;
  /** Time left in the job when the stage began (shared/domain/eta.ts); absent before anything was measured. */
  etaSeconds?: number;
}

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
  /** Time left in the job: from measured sections, all stages, once one finished (pipeline-eta.ts); before that, sampling at this rate. */
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

/** One frame of the section just decoded, downscaled (frame-thumbnail.ts): the dashboard's large preview. */
export interface FrameEvent {
  type: 'frame';
  section: number;
  width: number;
  height: number;
  /** Interleaved RGB, height × width × 3. */
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
  /** Time left in the job after this section, as on StageEvent. */
  etaSeconds?: number;
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

export type PipelineEvent = StageEvent | PlannedEvent | SectionStartedEvent | StepEvent | PreviewEvent | FrameEvent | SectionDoneEvent | SucceededEvent | FailedEvent;
