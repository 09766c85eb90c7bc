// A job spec's directing plan (section-conditioning.ts): its prompt parsed as a timestamped prompt,
// its keyframe times and end image against the section count the spec implies. Used at submit (a
// bad value is one JobSpecError naming its flag), by the pipeline and by `framepack plan`.
import { parseTimedPrompt, TimedPromptError } from '../../../shared/domain/timed-prompt.js';
import { FPS, sectionCount } from '../section-plan.js';
import { JobSpecError, type JobSpec } from './job-spec.js';
import { DirectingError, planDirecting, type DirectingPlan } from './section-conditioning.js';

/** The directing plan of a resolved spec; throws JobSpecError for a bad timestamp, keyframe or end image option. */
export function directingFor(spec: JobSpec): DirectingPlan {
  if (spec.endStrength !== undefined && spec.endImagePath === undefined) throw new JobSpecError('--end-strength', 'needs --end-image');
  let timeline;
  try {
    timeline = parseTimedPrompt(spec.prompt);
  } catch (err: unknown) {
    if (err instanceof TimedPromptError) throw new JobSpecError('--prompt', err.message.replace(/^prompts? /, ''));
    throw err;
  }
  try {
    return planDirecting({
      mode: spec.mode, sectionCount: sectionCount(spec.seconds, spec.windowSize), windowSize: spec.windowSize, fps: FPS,
      requestedSeconds: spec.seconds, timeline, promptBlend: spec.promptBlend ?? 0,
      keyframeSeconds: (spec.keyframes ?? []).map((k) => k.seconds),
      endStrength: spec.endImagePath !== undefined ? (spec.endStrength ?? 1) : null,
    });
  } catch (err: unknown) {
    if (err instanceof DirectingError) throw new JobSpecError(err.flag, err.problem);
    throw err;
  }
}

/** Validation only (resolveJobSpec calls it). */
export function checkDirecting(spec: JobSpec): void {
  directingFor(spec);
}
