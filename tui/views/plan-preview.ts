// The new-job form's plan, from the daemon's jobs.plan: which params to ask with (only once the
// plan-relevant fields parse), and the lines shown under the form — bucket, sections in
// generation and video order, frames, duration, the whole-job time estimate (every stage, from a
// measured job; shared/domain/job-estimate.ts, the same line `framepack plan` prints) and the
// memory plan (docs/memory.md: fits or the refusal submit would give), and for a directed job
// the prompt of each section (plan-directing.ts). Pure,
// so tests check it without Ink; new-job-form.tsx debounces the calls.
import type { JobPlanResult, ParamsInput } from '../../shared/protocol/index.js';
import { formatBytes, formatDuration } from '../daemon/residency-store.js';
import type { FormValues } from './form-state.js';
import { formatWholeJobEstimate } from '../../shared/domain/job-estimate.js';
import { directingPlanLines, directingPlanParams } from './plan-directing.js';
import { parseLoraField } from './lora-field.js';

export const PLAN_FEATURE = 'jobs.plan';
/** Wait after the last keystroke before asking the daemon. */
export const PLAN_DEBOUNCE_MS = 250;

export type PlanParams = ParamsInput<'jobs.plan'>;

/** jobs.plan params from the form, or null while the image is empty or a plan field is not a number. */
export function planParams(values: FormValues): PlanParams | null {
  const image = values.image.trim();
  if (!image) return null;
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
  const seconds = num(values.seconds);
  const window = num(values.window);
  const steps = num(values.steps);
  if (![seconds, window, steps].every(Number.isFinite)) return null;
  const model = values.model.trim();
  const resolution = values.resolution.trim() === '' ? undefined : Number(values.resolution);
  if (resolution !== undefined && !Number.isInteger(resolution)) return null;
  const lorasParsed = parseLoraField(values.loras);
  return {
    image, seconds, window, steps, mode: values.mode as NonNullable<PlanParams['mode']>, ...(model ? { model } : {}), ...(resolution !== undefined ? { resolution } : {}),
    ...directingPlanParams(values),
    // LoRAs once the field reads (the form marks a bad one itself): the daemon checks the files and counts them in the memory plan.
    ...(lorasParsed.ok && lorasParsed.loras.length ? { loras: lorasParsed.loras } : {}),
  };
}

export type PlanState =
  | { state: 'none' }
  | { state: 'loading'; key: string }
  | { state: 'ok'; key: string; plan: JobPlanResult }
  | { state: 'error'; key: string; message: string };

/** 1-based section numbers; long lists keep both ends (a 2-minute video has 100 sections). */
const list = (xs: readonly number[]) => (xs.length <= 8 ? xs.map((x) => x + 1) : [...xs.slice(0, 3).map((x) => x + 1), '…', ...xs.slice(-2).map((x) => x + 1)]).join(' ');

/** `, 960 class, off-distribution` when the job asks for another class than the model's own. */
function classNote(p: JobPlanResult): string {
  const c = p.bucketClass;
  return c && c.offDistribution ? `, ${c.resolution} class, off-distribution: trained on ${c.native}` : '';
}

/** `width`: the columns the lines get (a directed job's rows wrap to it). */
export function planSummary(p: JobPlanResult, width?: number): string[] {
  const n = p.sections.length;
  const generation = p.sections.map((s) => s.generationIndex);
  const orderNote = p.mode === 'inverted' && n > 1 ? ` · in the video ${list(p.displayOrder)} (end first)` : '';
  const lines = [
    `plan: ${p.bucket.width}×${p.bucket.height} bucket (from ${p.input.width}×${p.input.height}${classNote(p)}) · ${n} section${n === 1 ? '' : 's'} · ${p.totalFrames} frames = ${p.durationSeconds.toFixed(2)} s`,
    `sections: made ${list(generation)}${orderNote} · ${p.sections[0]!.tokens.imageSide} tokens/call`,
  ];
  // A directed job: which prompt each section gets (plan-directing.ts).
  if (p.directing) lines.push(...directingPlanLines(p.directing, width));
  const e = p.estimate;
  // The whole job (every stage) when the daemon sent it; older daemons: sampling from s/step.
  if (e?.job) lines.push(`time: ${formatWholeJobEstimate(e.job)}`);
  else lines.push(e
    ? `time: ${e.secPerStep.toFixed(2)} s/step → ${formatDuration(e.sectionSeconds * 1000)}/section · ≈${formatDuration(e.samplingSeconds * 1000)} sampling (measured on ${e.measuredOn}${e.sameWindow ? '' : ', another window'})`
    : `time: estimated once the daemon has measured a step of ${p.model}`);
  const m = p.memory;
  if (m) {
    const largest = m.components.reduce((a, b) => (b.peakBytes > a.peakBytes ? b : a));
    const kind = m.kind === 'stream-blocks' ? `blocks streamed in ${m.groups} groups` : m.kind === 'all-resident' ? 'all resident' : 'encoders released';
    lines.push(m.fits
      ? `memory: ${kind} on ${m.device} · peak ${formatBytes(m.peakBytes)} of ${formatBytes(m.availableBytes)} · largest ${largest.component} ${formatBytes(largest.peakBytes)}`
      : `memory: will be refused — ${m.reason}`);
  }
  return lines;
}

export function planStateLines(s: PlanState, width?: number): string[] {
  switch (s.state) {
    case 'none': return ['plan: choose a start image to see the bucket, sections and frames'];
    case 'loading': return ['plan: asking the daemon…'];
    case 'error': return [`plan: ${s.message}`];
    case 'ok': return planSummary(s.plan, width);
  }
}
