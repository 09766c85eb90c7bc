// The new-job form's plan for a directed job (docs/directing.md): which directing fields go to
// jobs.plan, and the compact rows shown under the form from its `directing` answer — the distinct
// prompts, then each run of sections (video order) with the prompt it gets, its keyframe and the
// sections' generation positions, as `framepack plan` lists them one a row. Two lines, so 80×24
// keeps its fields. Pure.
import type { PlannedDirecting } from '../../shared/protocol/index.js';
import { isTimedPrompt } from '../../shared/domain/timed-prompt.js';
import type { PlanParams } from './plan-preview.js';
import { addDirecting } from './directing-fields.js';
import type { FormValues } from './form-state.js';

/** The directing params of jobs.plan from the form: only fields that parse (the form marks the rest). */
export function directingPlanParams(values: FormValues): Partial<PlanParams> {
  const raw: Record<string, unknown> = {};
  const errors = addDirecting(values, raw);
  const out: Partial<PlanParams> = {};
  // A plain prompt plans nothing: sent only when timestamped, so typing one does not re-plan.
  if (!errors.prompt && isTimedPrompt(values.prompt)) out.prompt = values.prompt;
  if (!errors.promptBlend && raw.promptBlend !== undefined) out.promptBlend = raw.promptBlend as number;
  if (!errors.endImage && raw.endImage !== undefined) out.endImage = raw.endImage as string;
  if (!errors.endStrength && raw.endStrength !== undefined) out.endStrength = raw.endStrength as number;
  if (!errors.keyframes && raw.keyframes !== undefined) out.keyframes = raw.keyframes as NonNullable<PlanParams['keyframes']>;
  return out;
}

type Row = PlannedDirecting['sections'][number];

const promptOf = (s: Row) => (s.prompt.weight === 0 ? `P${s.prompt.from + 1}` : `P${s.prompt.from + 1}→P${s.prompt.to + 1} ${Math.round(s.prompt.weight * 100)}%`);
const span = (a: number, b: number) => (a === b ? `${a + 1}` : `${a + 1}–${b + 1}`);

const clip = (t: string, n: number) => (n >= [...t].length ? t : `${[...t].slice(0, Math.max(1, n - 1)).join('')}…`);

/** Most lines the section runs take (80×24 keeps its fields). */
const MAX_RUN_LINES = 2;

/**
 * Lines under the form, each at most `width` columns: `prompts: P1 … · P2 … (blend 1)` (each
 * prompt clipped to its share of the line, the options where they fit), then `video order [made]: 1–2[5–4] P1 · 3[3] P1→P2
 * 33% K1 · …`: runs of sections with the same prompt and anchor, display numbers and [generation
 * numbers], wrapped onto a second line when narrow.
 */
export function directingPlanLines(d: PlannedDirecting, width = Number.POSITIVE_INFINITY): string[] {
  const extras = [d.promptBlend ? `blend ${d.promptBlend}` : '', d.endImage ? `end ${d.endImage.strength}` : '', d.keyframes.length ? `${d.keyframes.length} keyframe${d.keyframes.length === 1 ? '' : 's'}` : ''].filter(Boolean);
  const head = 'prompts: ';
  const share = Math.floor((width - head.length - 3 * (d.prompts.length - 1)) / d.prompts.length) - 3;
  const prompts = head + d.prompts.map((p, i) => `P${i + 1} ${clip(p, share)}`).join(' · ');
  // The options in brackets where they fit (the form shows them in their fields anyway).
  const note = extras.length ? ` (${extras.join(', ')})` : '';
  const lines = [[...prompts].length + note.length <= width ? prompts + note : prompts];
  // Runs of display sections with the same prompt and anchor.
  const runs: Row[][] = [];
  for (const s of d.sections) {
    const last = runs.at(-1)?.at(-1);
    if (last && promptOf(last) === promptOf(s) && last.keyframe === s.keyframe) runs.at(-1)!.push(s);
    else runs.push([s]);
  }
  const cells = runs.map((r) => {
    const a = r[0]!, b = r.at(-1)!;
    return `${span(a.displayIndex, b.displayIndex)}[${span(a.generationIndex, b.generationIndex)}] ${promptOf(a)}${a.keyframe === null ? '' : ` K${a.keyframe + 1}`}`;
  });
  let line = 'video order [made]: ';
  let used = 0;
  for (const [i, cell] of cells.entries()) {
    const sep = i === 0 ? '' : ' · ';
    if (i > 0 && line.length + sep.length + cell.length > width && used < MAX_RUN_LINES - 1) {
      lines.push(line);
      used++;
      line = `  ${cell}`;
    } else line += sep + cell;
  }
  lines.push(line);
  return lines;
}
