// The new-job form as a pure reducer: one string per field (what the user typed), the focused
// field, and validation through the protocol's own JobSpec schema plus the CLI's ranges
// (field-limits.ts), checked for each field as it is typed, so the form accepts what jobs.submit
// and `framepack generate` accept; its defaults are the daemon's (shared/domain/job.ts).
import { JobSpec, MAX_SEED, type JobSpecInput } from '../../shared/protocol/index.js';
import { GenerationMode, Sampler } from '../../shared/domain/job.js';
import { PRESET_NAME } from '../../shared/settings/presets.js';
import { isNumericField, NUMERIC_FIELDS, numberFieldError } from './field-limits.js';
import { formatLoraField, parseLoraField } from './lora-field.js';
import { addDirecting, DIRECTING_FIELDS, directingValues, type DirectingFieldId } from './directing-fields.js';
import { focusedField, focusFieldRow, revealErrors, submitIndex, toggleGroup, type GroupId } from './form-groups.js';

/** The preset field's problem: a name `framepack presets` would refuse (empty is fine until Ctrl+L/Ctrl+K). */
function presetNameError(name: string): string | undefined {
  const n = name.trim();
  return n === '' || PRESET_NAME.test(n) ? undefined : "letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)";
}

export type FieldKind = 'path' | 'text' | 'number' | 'choice' | 'toggle';

export interface FieldDef {
  id: FieldId;
  label: string;
  kind: FieldKind;
  choices?: readonly string[];
  hint?: string;
}

export type FieldId =
  | 'image' | 'prompt' | 'negativePrompt' | 'seconds' | 'seed' | 'steps' | 'gs' | 'cfg' | 'rs' | 'window' | 'mode' | 'sampler' | 'shift'
  | 'teacache' | 'crf' | 'model' | 'loras' | 'out' | 'keepAlive' | 'resolution' | 'extend' | 'extendContext' | 'extendJob' | 'preset' | DirectingFieldId;

export const FIELDS: readonly FieldDef[] = [
  { id: 'image', label: 'Image', kind: 'path', hint: 'Tab completes' },
  { id: 'prompt', label: 'Prompt', kind: 'text' },
  { id: 'negativePrompt', label: 'Negative', kind: 'text', hint: 'used when cfg > 1' },
  { id: 'seconds', label: 'Seconds', kind: 'number' },
  { id: 'seed', label: 'Seed', kind: 'number', hint: 'Ctrl+R randomises' },
  { id: 'steps', label: 'Steps', kind: 'number' },
  { id: 'gs', label: 'Distilled gs', kind: 'number' },
  { id: 'cfg', label: 'CFG', kind: 'number' },
  { id: 'rs', label: 'Rescale rs', kind: 'number' },
  { id: 'window', label: 'Window', kind: 'number' },
  // Directing (docs/directing.md); above Mode so the fields a preset fills stay in view beside Preset at 80×24.
  ...DIRECTING_FIELDS,
  { id: 'mode', label: 'Mode', kind: 'choice', choices: GenerationMode.options, hint: '←/→' },
  { id: 'sampler', label: 'Sampler', kind: 'choice', choices: Sampler.options, hint: '←/→' },
  { id: 'shift', label: 'Shift', kind: 'number', hint: 'empty = from the resolution' },
  // on = TeaCache, mag = MagCache (the model must be calibrated: framepack models calibrate), off = none.
  { id: 'teacache', label: 'Cache', kind: 'toggle', choices: ['on', 'off', 'mag'], hint: 'Space: on (TeaCache) · off · mag (MagCache)' },
  { id: 'crf', label: 'CRF', kind: 'number' },
  { id: 'model', label: 'Model', kind: 'text', hint: "bundle name; empty = daemon's default" },
  { id: 'loras', label: 'LoRAs', kind: 'text', hint: 'FILE[:STRENGTH], comma-separated, absolute paths' },
  { id: 'out', label: 'Output', kind: 'text', hint: "absolute .mp4 path; empty = daemon's output dir" },
  { id: 'keepAlive', label: 'Keep-alive', kind: 'text', hint: "e.g. 5m, 0, -1; empty = daemon's" },
  { id: 'resolution', label: 'Resolution', kind: 'number', hint: "bucket class, e.g. 640; empty = the model's own" },
  { id: 'extend', label: 'Extend video', kind: 'text', hint: 'absolute path: continue this video (leave Image empty)' },
  { id: 'extendContext', label: 'Extend ctx', kind: 'number', hint: 'frames encoded, 1–73; empty = 73' },
  { id: 'extendJob', label: 'Extend job', kind: 'text', hint: 'a finished job id to continue (leave Image empty)' },
  // Not a job parameter: the name Ctrl+L loads and Ctrl+K saves the form as (form-presets.ts).
  { id: 'preset', label: 'Preset', kind: 'text', hint: 'a name: Ctrl+L loads it, Ctrl+K saves the form as it' },
];

export type FormValues = Record<FieldId, string>;

export interface FormState {
  values: FormValues;
  /** Index into the rows shown (form-groups.ts formRows: fields, group headers, Submit). */
  focus: number;
  /** The open groups of expert fields (form-groups.ts). */
  expanded: GroupId[];
  errors: Partial<Record<FieldId | 'form', string>>;
  /** Candidates of the last path completion (shown under the image field). */
  completions: string[];
  /** A number field just got focus: the first key typed replaces its value, as in a spreadsheet (`5` then `2` is 2, not 52). */
  replaceOnType?: boolean;
}

export type FormAction =
  | { type: 'input'; text: string }
  | { type: 'backspace' }
  | { type: 'clearField' }
  | { type: 'focus'; delta: number }
  | { type: 'focusField'; id: FieldId }
  | { type: 'toggleGroup'; group: GroupId; open?: boolean }
  | { type: 'cycle'; delta: 1 | -1 }
  | { type: 'setValue'; id: FieldId; value: string }
  | { type: 'randomSeed'; seed: number }
  | { type: 'completions'; value: string; candidates: string[] }
  | { type: 'errors'; errors: FormState['errors'] }
  | { type: 'replaceValues'; values: FormValues };

/** The daemon's defaults, from the protocol schema itself. */
const DEFAULTS = JobSpec.parse({ image: '/', prompt: '' });

export function valuesFromSpec(spec: Partial<JobSpecInput> = {}): FormValues {
  const s = { ...DEFAULTS, ...spec };
  return {
    image: spec.image ?? '',
    prompt: s.prompt,
    negativePrompt: s.negativePrompt ?? '',
    seconds: String(s.seconds),
    seed: String(s.seed),
    steps: String(s.steps),
    gs: String(s.gs),
    cfg: String(s.cfg),
    rs: String(s.rs),
    window: String(s.window),
    mode: s.mode ?? 'inverted',
    sampler: s.sampler ?? 'unipc',
    shift: s.shift === undefined ? '' : String(s.shift),
    teacache: s.cache === 'mag' ? 'mag' : s.cache === 'off' || (s.cache === undefined && s.teacache === false) ? 'off' : 'on',
    crf: String(s.crf),
    model: s.model ?? '',
    loras: formatLoraField(s.loras),
    // A copied job's output path is not taken over: submitting it again would replace that video.
    out: '',
    keepAlive: s.keepAlive === undefined ? '' : String(s.keepAlive),
    resolution: s.resolution === undefined ? '' : String(s.resolution),
    extend: s.extend ?? '',
    extendContext: s.extendContext === undefined ? '' : String(s.extendContext),
    extendJob: s.extendJob ?? '',
    preset: '',
    ...directingValues(spec),
  };
}

/** Spec field of each `defaults.*` setting (the settings use generate's flag names). */
const DEFAULT_FIELD: Readonly<Record<string, keyof JobSpecInput>> = {
  negative: 'negativePrompt', 'teacache-threshold': 'teacacheThreshold',
  'magcache-threshold': 'magcacheThreshold', 'magcache-max-skips': 'magcacheMaxSkips', 'magcache-retention': 'magcacheRetention',
};

/** The `defaults.*` settings (`framepack config set defaults.steps 12`) as spec fields, for a new job. */
export function specFromDefaults(settings: Readonly<Record<string, unknown>>): Partial<JobSpecInput> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (!key.startsWith('defaults.')) continue;
    const flag = key.slice('defaults.'.length);
    out[DEFAULT_FIELD[flag] ?? flag] = value;
  }
  return out as Partial<JobSpecInput>;
}

/** Spec fields the form has no field for (TeaCache threshold): carried into the submission as they came. */
export function hiddenSpec(spec: Partial<JobSpecInput> | null | undefined): Partial<JobSpecInput> {
  const out: Partial<JobSpecInput> = {};
  if (!spec) return out;
  if (spec.teacacheThreshold !== undefined) out.teacacheThreshold = spec.teacacheThreshold;
  for (const k of ['magcacheThreshold', 'magcacheMaxSkips', 'magcacheRetention'] as const) if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}

/** `expanded`: the groups open when the form was last used this session. */
export function initialForm(from?: Partial<JobSpecInput> | null, expanded: GroupId[] = []): FormState {
  return { values: valuesFromSpec(from ?? {}), focus: from?.image ? 1 : 0, expanded, errors: {}, completions: [], replaceOnType: false };
}

function field(state: FormState): FieldDef | undefined {
  return focusedField(state);
}

/** The field's own problem with the values as they are now (typing), or undefined. An empty image is only an error at submit. */
export function fieldError(id: FieldId, values: FormValues): string | undefined {
  if (isNumericField(id)) return numberFieldError(id, values[id]) ?? undefined;
  if (id === 'preset') return presetNameError(values.preset);
  if (id === 'image' && values.image.trim() === '') return undefined;
  const built = buildSpec(values);
  return built.ok ? undefined : built.errors[id];
}

/** After a value changed: the form with that field's error as it is now. */
function revalidated(state: FormState, id: FieldId): FormState {
  return { ...state, errors: { ...state.errors, [id]: fieldError(id, state.values), form: undefined } };
}

/** Whether focus landed on a number field whose value the next typed key replaces. */
function withReplace(prev: FormState, next: FormState, action: FormAction): FormState {
  if (action.type === 'focus' || action.type === 'focusField') {
    const moved = next.focus !== prev.focus;
    return moved || action.type === 'focusField' ? { ...next, replaceOnType: field(next)?.kind === 'number' } : next;
  }
  if (action.type === 'errors' || action.type === 'toggleGroup') return next;
  return next.replaceOnType ? { ...next, replaceOnType: false } : next;
}

export function formReducer(state: FormState, action: FormAction): FormState {
  const next = withReplace(state, reduce(state, action), action);
  const f = field(state);
  switch (action.type) {
    case 'input':
    case 'backspace':
    case 'clearField':
      return f && next !== state ? revalidated(next, f.id) : next;
    case 'setValue':
      return revalidated(next, action.id);
    case 'randomSeed':
      return revalidated(next, 'seed');
    case 'completions':
      return revalidated(next, 'image');
    case 'replaceValues':
      // A loaded preset: every field shows its problem (if any) with the new values.
      return { ...next, errors: Object.fromEntries(FIELDS.map((x) => [x.id, fieldError(x.id, next.values)]).filter(([, v]) => v)) };
    default:
      return next;
  }
}

function reduce(state: FormState, action: FormAction): FormState {
  const f = field(state);
  switch (action.type) {
    case 'input': {
      if (!f || f.kind === 'choice' || f.kind === 'toggle') return state;
      // Pasted newlines end up as spaces: prompts are one paragraph. Other control bytes (a Ctrl+L
      // read in one chunk with the text before it arrives inside the text) never belong in a value.
      // eslint-disable-next-line no-control-regex
      const text = action.text.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
      if (text === '') return state;
      const base = state.replaceOnType && f.kind === 'number' ? '' : state.values[f.id];
      return { ...state, values: { ...state.values, [f.id]: base + text }, errors: { ...state.errors, [f.id]: undefined }, completions: [] };
    }
    case 'backspace':
      if (!f || f.kind === 'choice' || f.kind === 'toggle') return state;
      return { ...state, values: { ...state.values, [f.id]: state.values[f.id].slice(0, -1) }, completions: [] };
    case 'clearField':
      if (!f || f.kind === 'choice' || f.kind === 'toggle') return state;
      return { ...state, values: { ...state.values, [f.id]: '' }, completions: [] };
    case 'focus':
      return { ...state, focus: Math.min(Math.max(state.focus + action.delta, 0), submitIndex(state)), completions: [] };
    case 'focusField':
      return focusFieldRow(state, action.id);
    case 'toggleGroup':
      return toggleGroup(state, action.group, action.open);
    case 'cycle': {
      if (!f) return state;
      if (f.kind === 'toggle' && !f.choices) return { ...state, values: { ...state.values, [f.id]: state.values[f.id] === 'on' ? 'off' : 'on' } };
      if (!f.choices) return state;
      const at = f.choices.indexOf(state.values[f.id]);
      const next = f.choices[(at + action.delta + f.choices.length) % f.choices.length]!;
      return { ...state, values: { ...state.values, [f.id]: next } };
    }
    case 'setValue':
      return { ...state, values: { ...state.values, [action.id]: action.value }, errors: { ...state.errors, [action.id]: undefined } };
    case 'randomSeed':
      return { ...state, values: { ...state.values, seed: String(action.seed) }, errors: { ...state.errors, seed: undefined } };
    case 'completions':
      return { ...state, values: { ...state.values, image: action.value }, completions: action.candidates };
    case 'errors':
      // A refused submit: an error in a closed group opens it, focused (form-groups.ts).
      return revealErrors({ ...state, errors: action.errors });
    case 'replaceValues':
      return { ...state, values: action.values, completions: [] };
  }
}

/** A random seed in the range every sampler implementation handles (32-bit, as the official UI). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 2 ** 32) % (MAX_SEED + 1);
}


export type BuildResult = { ok: true; spec: JobSpecInput } | { ok: false; errors: FormState['errors'] };

/** Turn the typed values into a JobSpec, validated by the protocol schema; errors keyed by field. */
export function buildSpec(values: FormValues, hidden: Partial<JobSpecInput> = {}): BuildResult {
  const errors: FormState['errors'] = {};
  const raw: Record<string, unknown> = { ...hidden, image: values.image.trim(), prompt: values.prompt, negativePrompt: values.negativePrompt };
  for (const id of NUMERIC_FIELDS) {
    const problem = numberFieldError(id, values[id]);
    if (problem) errors[id] = problem;
    else if (values[id].trim() !== '') raw[id] = Number(values[id].trim());
  }
  raw.mode = values.mode;
  raw.sampler = values.sampler;
  const model = values.model.trim();
  if (model !== '') raw.model = model;
  const out = values.out.trim();
  if (out !== '') {
    // The daemon resolves nothing against the dashboard's folder: the path must be absolute, a video file.
    if (!out.startsWith('/')) errors.out = `must be an absolute path (got ${out})`;
    else if (!/\.mp4$/i.test(out)) errors.out = `must end in .mp4 (got ${out})`;
    raw.out = out;
  }
  raw.teacache = values.teacache === 'on';
  const loras = parseLoraField(values.loras);
  if (!loras.ok) errors.loras = loras.error;
  else if (loras.loras.length) raw.loras = loras.loras;
  if (values.teacache === 'mag') raw.cache = 'mag';
  const keep = values.keepAlive.trim();
  if (keep !== '') raw.keepAlive = /^-?\d+(\.\d+)?$/.test(keep) ? Number(keep) : keep;
  Object.assign(errors, addDirecting(values, raw));
  const extend = values.extend.trim();
  if (extend !== '') raw.extend = extend;
  const extendJob = values.extendJob.trim();
  if (extendJob !== '') raw.extendJob = extendJob;
  // An extension starts from its source's last frame: no image then.
  if (raw.image === '' && (extend !== '' || extendJob !== '')) delete raw.image;
  else if (raw.image === '') errors.image = 'choose a start image (or a video or job to extend)';
  const parsed = JobSpec.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form') as FieldId | 'form';
      if (!errors[key]) errors[key] = issue.message;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, spec: raw as JobSpecInput };
}
