// The time left in a job, from what its sections measured (issue 16 item 2). A section is timed
// from section.started to section.done, so its sampling, VAE decode, soft-append and partial-video
// encode all count; the step rate alone (sampling only) missed the decode and encode entirely.
// Pure: the caller passes every clock reading in. The daemon's job runner owns one per job and puts
// its numbers into the protocol's progress (etaJobMs), so the CLI and the dashboard show the same.
import type { Stage } from './progress.js';

export interface EtaEstimate {
  /** Time left in the whole job, ms; null before anything was measured. */
  jobMs: number | null;
  /** Time left in the current section, ms; null outside a section or before anything was measured. */
  sectionMs: number | null;
  /**
   * 'sections': from measured whole sections (all stages); 'steps': from the sampling rate of the
   * first section (its decode and encode are not measured yet, so this is a lower bound);
   * 'none': nothing measured yet.
   */
  basis: 'sections' | 'steps' | 'none';
}

export class JobEta {
  /** Wall time of each finished section, ms (all its stages). */
  private readonly sectionMs: number[] = [];
  private total = 0;
  private sectionStartMs: number | null = null;
  private stepsDone = 0;
  private steps = 0;
  private lastStepMs = 0;
  private stage: Stage | null = null;
  private stageStartMs = 0;
  /** Time spent writing the partial video in the section now running (the `mux` stage). */
  private encodeInSectionMs = 0;
  /** The newest partial video's encode time and how many sections it held. */
  private lastEncode: { ms: number; sections: number } | null = null;
  private sectionsDone = 0;

  /** `sectionsDone` sections were finished before this run (a resumed job); their times are unknown. */
  constructor(sectionsDone = 0) {
    this.sectionsDone = sectionsDone;
  }

  sectionStarted(total: number, nowMs: number): void {
    this.total = total;
    this.sectionStartMs = nowMs;
    this.stepsDone = 0;
    this.encodeInSectionMs = 0;
  }

  stageEntered(stage: Stage, nowMs: number): void {
    this.closeStage(nowMs);
    this.stage = stage;
    this.stageStartMs = nowMs;
  }

  stepDone(step: number, steps: number, nowMs: number): void {
    this.stepsDone = step;
    this.steps = steps;
    this.lastStepMs = nowMs;
  }

  sectionDone(nowMs: number): void {
    this.closeStage(nowMs);
    this.stageStartMs = nowMs;
    if (this.sectionStartMs !== null) this.sectionMs.push(nowMs - this.sectionStartMs);
    this.sectionsDone++;
    if (this.encodeInSectionMs > 0) this.lastEncode = { ms: this.encodeInSectionMs, sections: this.sectionsDone };
    this.sectionStartMs = null;
  }

  estimate(nowMs: number): EtaEstimate {
    const finalEncodeMs = this.lastEncode && this.total > 0 ? (this.lastEncode.ms * this.total) / this.lastEncode.sections : 0;
    if (this.sectionMs.length > 0) {
      const perSectionMs = this.sectionMs.reduce((a, b) => a + b, 0) / this.sectionMs.length;
      const inSection = this.sectionStartMs !== null;
      const currentLeftMs = inSection ? Math.max(0, perSectionMs - (nowMs - this.sectionStartMs!)) : 0;
      const untouched = Math.max(0, this.total - this.sectionsDone - (inSection ? 1 : 0));
      // After the last section: only the final video's encode is left.
      const encodeLeftMs = !inSection && untouched === 0 && this.stage === 'mux' ? Math.max(0, finalEncodeMs - (nowMs - this.stageStartMs)) : finalEncodeMs;
      return { jobMs: currentLeftMs + untouched * perSectionMs + encodeLeftMs, sectionMs: inSection ? currentLeftMs : null, basis: 'sections' };
    }
    if (this.sectionStartMs !== null && this.stepsDone > 0) {
      const msPerStep = (this.lastStepMs - this.sectionStartMs) / this.stepsDone;
      const sectionLeftMs = (this.steps - this.stepsDone) * msPerStep;
      const later = Math.max(0, this.total - this.sectionsDone - 1);
      return { jobMs: sectionLeftMs + later * this.steps * msPerStep, sectionMs: sectionLeftMs, basis: 'steps' };
    }
    return { jobMs: null, sectionMs: null, basis: 'none' };
  }

  private closeStage(nowMs: number): void {
    if (this.stage === 'mux' && this.sectionStartMs !== null) this.encodeInSectionMs += nowMs - this.stageStartMs;
  }
}
