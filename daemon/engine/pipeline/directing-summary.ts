// A directing plan (section-conditioning.ts) as plain data: the distinct prompts and, per section
// in display order, the prompt, anchor and end-image weight it gets with its generation position.
// One shape for `framepack plan --json` and jobs.plan's `directing` (shared/protocol/plan.ts).
import type { PlannedDirecting } from '../../../shared/protocol/index.js';
import type { JobSpec } from './job-spec.js';
import type { DirectingPlan } from './section-conditioning.js';

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function directingSummary(spec: Pick<JobSpec, 'promptBlend' | 'keyframes'>, plan: DirectingPlan): PlannedDirecting {
  return {
    prompts: plan.prompts,
    promptBlend: spec.promptBlend ?? 0,
    endImage: plan.endLatentScale === null ? null : { strength: plan.endLatentScale },
    keyframes: (spec.keyframes ?? []).map((k, i) => ({ seconds: k.seconds, displaySection: plan.keyframeSections[i]! })),
    sections: [...plan.sections].sort((a, b) => a.displayIndex - b.displayIndex).map((s) => ({
      displayIndex: s.displayIndex, generationIndex: s.generationIndex, startSeconds: r4(s.startSeconds), endSeconds: r4(s.endSeconds),
      prompt: { ...s.prompt, weight: r4(s.prompt.weight) }, keyframe: s.keyframe, endEmbeddingWeight: r4(s.endEmbeddingWeight),
    })),
  };
}
