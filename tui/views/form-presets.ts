// The new-job form and saved presets (shared/settings/presets.ts, what `framepack presets` edits):
// the form's values as a preset (Ctrl+K) and a preset applied to the form (Ctrl+L). As with
// `generate --preset`, a preset never touches the start image, the output path or keep-alive;
// its prompt replaces the form's only when it has one. Pure.
import type { JobSpecInput } from '../../shared/protocol/index.js';
import type { Preset } from '../../shared/settings/presets.js';
import { buildSpec, type FormState, type FormValues } from './form-state.js';

export type PresetFromForm = { ok: true; preset: Preset } | { ok: false; errors: FormState['errors'] };

/** The form as preset values (generate's flag names); the fields' own errors when a value is not valid. */
export function presetFromForm(values: FormValues, hidden: Partial<JobSpecInput> = {}): PresetFromForm {
  // Image and output path are not part of a preset: stand-ins keep their checks out of the way.
  const built = buildSpec({ ...values, image: '/', out: '' }, hidden);
  if (!built.ok) return { ok: false, errors: built.errors };
  const s = built.spec;
  const preset: Preset = {};
  if (s.prompt !== '') preset.prompt = s.prompt;
  if (s.negativePrompt) preset.negative = s.negativePrompt;
  for (const k of ['seconds', 'seed', 'steps', 'gs', 'cfg', 'rs', 'window', 'shift', 'sampler', 'mode', 'teacache', 'crf', 'model'] as const) {
    if (s[k] !== undefined) preset[k] = s[k];
  }
  if (s.teacacheThreshold !== undefined) preset['teacache-threshold'] = s.teacacheThreshold;
  return { ok: true, preset };
}

/** Field of each preset key whose name differs (the rest are the same word). */
const FIELD_OF: Readonly<Record<string, keyof FormValues>> = { negative: 'negativePrompt' };

/** The form with a preset applied, and the TeaCache threshold it sets (the form has no row for it). */
export function applyPreset(values: FormValues, preset: Preset): { values: FormValues; hidden: Partial<JobSpecInput> } {
  const next: FormValues = { ...values };
  const hidden: Partial<JobSpecInput> = {};
  for (const [key, value] of Object.entries(preset)) {
    if (key === 'teacache-threshold') hidden.teacacheThreshold = value as number;
    else if (key === 'teacache') next.teacache = value ? 'on' : 'off';
    else {
      const id = FIELD_OF[key] ?? (key as keyof FormValues);
      if (id in next) next[id] = String(value);
    }
  }
  return { values: next, hidden };
}
