// The new-job form's directing fields (docs/directing.md): prompt blend, end image and strength,
// keyframes as `SECONDS=PATH, …`. Typed text ↔ the protocol's JobSpec fields, and the timestamped
// prompt's syntax checked as it is typed (the same parser the daemon plans from). Pure.
import type { JobSpecInput } from '../../shared/protocol/index.js';
import { parseTimedPrompt, TimedPromptError } from '../../shared/domain/timed-prompt.js';

export type DirectingFieldId = 'promptBlend' | 'endImage' | 'endStrength' | 'keyframes';

export const DIRECTING_FIELDS = [
  { id: 'promptBlend', label: 'Prompt blend', kind: 'number', hint: 'sections per [Ns: …] prompt change; empty = 0' },
  { id: 'endImage', label: 'End image', kind: 'text', hint: 'absolute path; inverted mode; = Image for a loop' },
  { id: 'endStrength', label: 'End strength', kind: 'number', hint: '0–1; empty = 1' },
  { id: 'keyframes', label: 'Keyframes', kind: 'text', hint: 'SECONDS=/abs/path.png, … (inverted mode)' },
] as const;

export function directingValues(spec: Partial<JobSpecInput>): Record<DirectingFieldId, string> {
  return {
    promptBlend: spec.promptBlend === undefined ? '' : String(spec.promptBlend),
    endImage: spec.endImage ?? '',
    endStrength: spec.endStrength === undefined ? '' : String(spec.endStrength),
    keyframes: (spec.keyframes ?? []).map((k) => `${k.seconds}=${k.image}`).join(', '),
  };
}

/** Adds the directing fields to `raw` (the spec being built); returns problems keyed by field. */
export function addDirecting(values: Record<DirectingFieldId | 'prompt', string>, raw: Record<string, unknown>): Partial<Record<DirectingFieldId | 'prompt', string>> {
  const errors: Partial<Record<DirectingFieldId | 'prompt', string>> = {};
  try {
    parseTimedPrompt(values.prompt);
  } catch (err: unknown) {
    if (!(err instanceof TimedPromptError)) throw err;
    errors.prompt = err.message.replace(/^prompts? /, '');
  }
  const num = (id: 'promptBlend' | 'endStrength') => {
    const t = values[id].trim();
    if (t === '') return;
    const n = Number(t);
    if (!Number.isFinite(n)) errors[id] = `must be a number (got ${t})`;
    else raw[id] = n;
  };
  num('promptBlend');
  num('endStrength');
  const end = values.endImage.trim();
  if (end !== '') {
    if (!end.startsWith('/')) errors.endImage = `must be an absolute path (got ${end})`;
    raw.endImage = end;
  }
  const items = values.keyframes.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const keyframes = items.map((item) => {
    const m = /^(\d+(?:\.\d+)?)\s*s?\s*=\s*(.+)$/.exec(item);
    if (!m) {
      errors.keyframes ??= `each keyframe is SECONDS=/abs/path (got ${item})`;
      return null;
    }
    if (!m[2]!.startsWith('/')) errors.keyframes ??= `must be an absolute path (got ${m[2]})`;
    return { seconds: Number(m[1]), image: m[2]!.trim() };
  });
  if (keyframes.length) raw.keyframes = keyframes.filter((k) => k !== null);
  return errors;
}
