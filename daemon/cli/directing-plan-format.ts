// `framepack plan`'s directing part (docs/directing.md): which prompt, anchor image and end-image
// weight each section gets, listed in display order with each section's generation position (in
// inverted mode the last section shown is generated first).
import type { JobSpec } from '../engine/pipeline/job-spec.js';
import { isPlainDirecting, type DirectingPlan } from '../engine/pipeline/section-conditioning.js';
import { directingSummary } from '../engine/pipeline/directing-summary.js';
import type { PlannedDirecting } from '../../shared/protocol/index.js';

/** The directing part of `plan --json` (directing-summary.ts; jobs.plan answers the same). */
export type DirectingJson = PlannedDirecting;

export function directingJson(spec: JobSpec, plan: DirectingPlan): DirectingJson {
  return directingSummary(spec, plan);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Lines for the text plan; none for a plain job (one prompt, no images). */
export function directingText(d: DirectingJson, plan: DirectingPlan): string[] {
  if (isPlainDirecting(plan)) return [];
  const lines = ['', `prompts   ${d.prompts.length} distinct, each encoded once${d.promptBlend ? `; changes blended over ${d.promptBlend} section(s)` : ''}`];
  d.prompts.forEach((p, i) => lines.push(`  P${i + 1}  ${clip(p, 100)}`));
  if (d.endImage) lines.push(`end image strength ${d.endImage.strength}: its latent follows the history (the first generated section's 1× frame), its image embedding blends in by display time`);
  lines.push('disp  gen  time           prompt                 anchor       end-embed');
  for (const s of d.sections) {
    const p = s.prompt.weight === 0 ? `P${s.prompt.from + 1}` : `P${s.prompt.from + 1}→P${s.prompt.to + 1} ${s.prompt.weight.toFixed(2)}`;
    const anchor = s.keyframe === null ? 'start image' : `keyframe ${s.keyframe + 1}`;
    lines.push([
      String(s.displayIndex + 1).padStart(4), String(s.generationIndex + 1).padStart(4),
      ` ${`${s.startSeconds.toFixed(2)}–${s.endSeconds.toFixed(2)} s`.padEnd(14)}`, p.padEnd(22), anchor.padEnd(12), s.endEmbeddingWeight.toFixed(3),
    ].join(' '));
  }
  lines.push('(rows in display order; gen = generation order)');
  return lines;
}
