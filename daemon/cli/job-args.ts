// The flags `generate` and `plan` share, parsed with node:util parseArgs, turned into a validated
// JobSpec: numbers are read strictly (`--steps 2x` is an error, not 2), the model is resolved to a
// bundle folder and its manifest supplies the defaults. The `defaults.*` settings (settings.ts)
// sit under the flags.
import type { ParseArgsConfig } from 'node:util';
import { readManifest } from '../models/bundle/load-bundle.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { resolveJobSpec, type JobSpec, type JobSpecInput } from '../engine/pipeline/job-spec.js';
import { DEFAULT_MODEL, resolveModelDir } from '../engine/pipeline/model-location.js';
import { defaultJobFlags } from '../settings.js';
import { UsageError } from './errors.js';
import { getPreset, presetFlags } from '../../shared/settings/presets.js';
import { SettingsError } from '../../shared/settings/user-settings.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags of a job, shared by generate and plan. */
export const JOB_OPTIONS = {
  image: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  seconds: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  gs: { type: 'string' },
  cfg: { type: 'string' },
  rs: { type: 'string' },
  window: { type: 'string' },
  shift: { type: 'string' },
  sampler: { type: 'string' },
  mode: { type: 'string' },
  teacache: { type: 'boolean' },
  'no-teacache': { type: 'boolean' },
  'teacache-threshold': { type: 'string' },
  crf: { type: 'string' },
  model: { type: 'string' },
  preset: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Flags about how `generate` runs; `plan` accepts and ignores them so both take the same line. */
export const RUN_OPTIONS = {
  out: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
  local: { type: 'boolean' },
  'no-partials': { type: 'boolean' },
  provider: { type: 'string' },
  wait: { type: 'boolean' },
  detach: { type: 'boolean' },
  queue: { type: 'string' },
} as const satisfies Options;

export const ALL_JOB_OPTIONS = { ...JOB_OPTIONS, ...RUN_OPTIONS } as const;

export type ParsedValues = Record<string, string | boolean | undefined>;

/** A strict number: the whole text must be a finite decimal number. */
export function parseNumberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got ${JSON.stringify(text)})`);
  return n;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Flag values → the spec's optional fields (ranges are checked by the spec schema). */
export function jobInputFromFlags(v: ParsedValues): JobSpecInput {
  if (v.teacache === true && v['no-teacache'] === true) throw new UsageError('--teacache and --no-teacache contradict each other');
  const input: JobSpecInput = {
    imagePath: str(v.image),
    prompt: str(v.prompt),
    negativePrompt: str(v.negative),
    seconds: parseNumberFlag('--seconds', str(v.seconds)),
    seed: parseNumberFlag('--seed', str(v.seed)),
    steps: parseNumberFlag('--steps', str(v.steps)),
    gs: parseNumberFlag('--gs', str(v.gs)),
    cfg: parseNumberFlag('--cfg', str(v.cfg)),
    rs: parseNumberFlag('--rs', str(v.rs)),
    windowSize: parseNumberFlag('--window', str(v.window)),
    shift: parseNumberFlag('--shift', str(v.shift)),
    teacacheThreshold: parseNumberFlag('--teacache-threshold', str(v['teacache-threshold'])),
    crf: parseNumberFlag('--crf', str(v.crf)),
    sampler: str(v.sampler) as JobSpecInput['sampler'],
    mode: str(v.mode) as JobSpecInput['mode'],
    teacache: v['no-teacache'] === true ? false : v.teacache === true ? true : undefined,
  };
  return input;
}

export interface ResolvedJob {
  spec: JobSpec;
  modelDir: string;
  manifest: Manifest;
}

/** Resolves the model, reads its manifest and validates the whole spec (UsageError-class errors). */
export async function resolveJob(flags: ParsedValues, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedJob> {
  // Flags over the preset over the defaults.* settings.
  const preset = str(flags.preset);
  const base = preset === undefined ? defaultJobFlags(env) : withSettingsDefaults(presetFlagsNamed(preset, env), defaultJobFlags(env));
  const v = withSettingsDefaults(flags, base);
  const input = jobInputFromFlags(v);
  if (input.imagePath === undefined) throw new UsageError('--image is required (the start frame)');
  if (input.prompt === undefined) throw new UsageError('--prompt is required (use --prompt "" for none)');
  const model = str(v.model) ?? DEFAULT_MODEL;
  if (model.trim() === '') throw new UsageError('--model must not be empty');
  const modelDir = await resolveModelDir(model);
  const manifest = await readManifest(modelDir);
  return { spec: resolveJobSpec(input, manifest, model), modelDir, manifest };
}

/** The saved preset's parameters as flags; an unknown name is a usage error listing the saved ones. */
function presetFlagsNamed(name: string, env: NodeJS.ProcessEnv): Record<string, string | boolean> {
  try {
    return presetFlags(getPreset(name, env));
  } catch (err: unknown) {
    if (err instanceof SettingsError) throw new UsageError(`--preset: ${err.message}`);
    throw err;
  }
}

/** Flags over the `defaults.*` settings (an explicit --teacache/--no-teacache replaces the setting). */
export function withSettingsDefaults(flags: ParsedValues, defaults: ParsedValues): ParsedValues {
  const d = { ...defaults };
  if (flags.teacache !== undefined || flags['no-teacache'] !== undefined) {
    delete d.teacache;
    delete d['no-teacache'];
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...d, ...defined };
}

/** Help text for the shared flags. */
export const JOB_FLAGS_HELP = `  --image PATH            start frame (PNG, JPEG, WebP, …; EXIF orientation honoured)   required
  --prompt TEXT           what happens in the video                                     required
  --negative TEXT         negative prompt (used only when --cfg ≠ 1)                    default ""
  --seconds S             video length, > 0 and ≤ 120                                    default 5
  --seed N                integer ≥ 0                                                    default 31337
  --steps N               sampling steps per section, 1–100                              default: bundle (25)
  --gs X                  distilled guidance, 0–32                                       default: bundle (10)
  --cfg X                 real CFG, 1–32 (1 = off)                                       default: bundle (1)
  --rs X                  guidance rescale, 0–1                                          default: bundle (0)
  --window N              latent window size, 1–33                                       default: bundle (9)
  --shift X               fixed flow-matching shift (default: from the resolution, ≤ 7)
  --sampler NAME          unipc (UniPC bh1) | unipc-bh2 | euler                          default unipc
  --mode NAME             inverted | f1 | vanilla                                        default: bundle variant
  --teacache, --no-teacache   TeaCache block skipping                                    default: bundle (on)
  --teacache-threshold X  TeaCache threshold                                             default: bundle (0.15)
  --crf N                 H.264 quality, 0–51 (lower is better)                          default 16
  --model NAME|PATH       bundle name (in $FRAMEPACK_MODELS_DIR or models/); a folder     default framepack-tiny
                          only with plan or generate --local
  --preset NAME           start from a saved preset (framepack presets ls); the flags above win
  --json                  machine-readable output (see docs/cli.md)
  -h, --help              this help`;
