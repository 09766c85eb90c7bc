// How long a job would take, before it runs (issue 16 item 2): the whole job — sampling, VAE decode,
// append and video encode of every section, plus encoding the prompt and start image — from what an
// earlier job of the same model measured. The daemon computes it for jobs.plan, so the new-job form
// and `framepack plan` print the same figure. Model loading is not counted (it depends on what is
// resident when the job starts), as the running ETA (eta.ts) does not count it either.
//
// Basis, best first:
//  - 'sections': a finished job's timing summary. Its sections' wall times (`sectionSampleMs`, every
//    stage from section start to section done, as the engines measure them) less its decode+append
//    and partial-encode stage times leave the sampling, which scales with the new job's steps; the
//    decode + append and partial encode per section do not; the final video's encode (its run time
//    outside setup and sections) grows with the number of sections, as the running ETA assumes; the
//    prompt/image encodes are once per job.
//  - 'steps': only a step rate is known (a job still in its first section): sampling only, a lower
//    bound — the same figure the running ETA shows before its first section is done.
import type { TimingSummary } from './progress.js';

export interface MeasuredRun {
  /** Steps per section of the measured job. */
  steps: number;
  /** Its timing summary (a finished job), or null. */
  timing: TimingSummary | null;
  /** Its newest step rate, s/step, or null. */
  secPerStep: number | null;
}

export interface WholeJobEstimate {
  basis: 'sections' | 'steps';
  /** The whole job, seconds (model loading not counted). */
  jobSeconds: number;
  /** One section: sampling, decode + append, partial video encode (0 with basis 'steps': unknown). */
  sampleSecondsPerSection: number;
  decodeSecondsPerSection: number;
  encodeSecondsPerSection: number;
  /** The final video's encode, after the last section (0 with basis 'steps'). */
  finalEncodeSeconds: number;
  /** Prompt, image and start-frame encoding, once per job (0 with basis 'steps'). */
  setupSeconds: number;
}

/** The estimate for a job of `sections` × `steps` from one measured run; null when it measured nothing usable. */
export function estimateWholeJob(measured: MeasuredRun, plan: { sections: number; steps: number }): WholeJobEstimate | null {
  const t = measured.timing;
  const n = t?.sectionSampleMs.length ?? 0;
  if (t && n > 0 && measured.steps > 0) {
    const sectionsMs = t.sectionSampleMs.reduce((a, b) => a + b, 0);
    const finalEncodeMs = Math.max(0, t.totalMs - t.loadMs - t.encodeMs - sectionsMs);
    const partialEncodeMs = Math.max(0, t.muxMs - finalEncodeMs);
    const samplingMs = Math.max(0, sectionsMs - t.decodeMs - partialEncodeMs);
    const sample = (samplingMs / (n * measured.steps)) * plan.steps / 1000;
    const decode = t.decodeMs / n / 1000;
    const encode = partialEncodeMs / n / 1000;
    const finalEncode = (finalEncodeMs / n) * plan.sections / 1000;
    const setup = t.encodeMs / 1000;
    return {
      basis: 'sections', jobSeconds: setup + plan.sections * (sample + decode + encode) + finalEncode,
      sampleSecondsPerSection: sample, decodeSecondsPerSection: decode, encodeSecondsPerSection: encode, finalEncodeSeconds: finalEncode, setupSeconds: setup,
    };
  }
  if (measured.secPerStep !== null && measured.secPerStep > 0) {
    const sample = measured.secPerStep * plan.steps;
    return {
      basis: 'steps', jobSeconds: sample * plan.sections,
      sampleSecondsPerSection: sample, decodeSecondsPerSection: 0, encodeSecondsPerSection: 0, finalEncodeSeconds: 0, setupSeconds: 0,
    };
  }
  return null;
}

/** Seconds as people read them: 0.4s, 9.5s, 42s, 3m05s, 1h02m. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 10) return `${s.toFixed(1)}s`;
  const r = Math.round(s);
  if (r >= 3600) return `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, '0')}m`;
  if (r >= 60) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
  return `${r}s`;
}

/**
 * One line for the whole-job estimate, the same in the new-job form and `framepack plan`:
 * `≈1m02s for the job · 14s/section (sample 9.0s, decode 1.0s, video 0.5s) + 3.0s once · measured on ID`.
 */
export function formatWholeJobEstimate(e: WholeJobEstimate & { measuredOn: string }): string {
  if (e.basis === 'steps') return `≈${formatSeconds(e.jobSeconds)} sampling only (decode and encode are timed once a job has finished) · measured on ${e.measuredOn}`;
  const perSection = e.sampleSecondsPerSection + e.decodeSecondsPerSection + e.encodeSecondsPerSection;
  const once = e.setupSeconds + e.finalEncodeSeconds;
  return `≈${formatSeconds(e.jobSeconds)} for the job · ${formatSeconds(perSection)}/section (sample ${formatSeconds(e.sampleSecondsPerSection)}, decode ${formatSeconds(e.decodeSecondsPerSection)}, video ${formatSeconds(e.encodeSecondsPerSection)}) + ${formatSeconds(once)} once · measured on ${e.measuredOn}`;
}
