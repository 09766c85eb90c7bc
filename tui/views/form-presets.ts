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
  if (s.cache !== undefined) preset.cache = s.cache;
  if (s.magcacheThreshold !== undefined) preset['magcache-threshold'] = s.magcacheThreshold;
  if (s.magcacheMaxSkips !== undefined) preset['magcache-max-skips'] = s.magcacheMaxSkips;
  if (s.magcacheRetention !== undefined) preset['magcache-retention'] = s.magcacheRetention;
  // Values, not files: the end image and keyframes stay out (as `framepack presets save` refuses them).
  if (s.resolution !== undefined) preset.resolution = s.resolution;
  if (s.promptBlend !== undefined) preset['prompt-blend'] = s.promptBlend;
  if (s.endStrength !== undefined) preset['end-strength'] = s.endStrength;
  return { ok: true, preset };
}

/** Field of each preset key whose name differs (the rest are the same word). */
const FIELD_OF: Readonly<Record<string, keyof FormValues>> = { negative: 'negativePrompt', 'prompt-blend': 'promptBlend', 'end-strength': 'endStrength' };

/** The form with a preset applied, and the TeaCache threshold it sets (the form has no row for it). */
export function applyPreset(values: FormValues, preset: Preset): { values: FormValues; hidden: Partial<JobSpecInput> } {
  const next: FormValues = { ...values };
  const hidden: Partial<JobSpecInput> = {};
  for (const [key, value] of Object.entries(preset)) {
    if (key === 'teacache-threshold') hidden.teacacheThreshold = value as number;
    else if (key === 'magcache-threshold') hidden.magcacheThreshold = value as number;
    else if (key === 'magcache-max-skips') hidden.magcacheMaxSkips = value as number;
    else if (key === 'magcache-retention') hidden.magcacheRetention = value as number;
    else if (key === 'teacache') next.teacache = value ? 'on' : 'off';
    // The cache row: on = TeaCache (form-state.ts); applied after `teacache`, as --cache wins over it.
    else if (key === 'cache') continue;
    else {
      const id = FIELD_OF[key] ?? (key as keyof FormValues);
      if (id in next) next[id] = String(value);
    }
  }
  if (typeof preset.cache === 'string') next.teacache = preset.cache === 'tea' ? 'on' : preset.cache;
  return { values: next, hidden };
}
