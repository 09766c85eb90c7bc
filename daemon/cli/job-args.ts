// The flags `generate` and `plan` share, parsed with node:util parseArgs, turned into a validated
// JobSpec: numbers are read strictly (`--steps 2x` is an error, not 2), the model is resolved to a
// bundle folder and its manifest supplies the defaults. The `defaults.*` settings (settings.ts)
// sit under the flags.
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { MAX_LORAS, parseLoraArg } from '../../shared/domain/lora.js';
import { sidecarFlags, sourceFromCommandLine } from './sidecar-flags.js';
import { readManifest } from '../models/bundle/load-bundle.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { resolveJobSpec, type JobSpec, type JobSpecInput } from '../engine/pipeline/job-spec.js';
import { stepCacheFlags } from './cache-flags.js';
import { DEFAULT_MODEL, resolveModelDir } from '../engine/pipeline/model-location.js';
import { defaultJobFlags } from '../settings.js';
import { UsageError } from './errors.js';
import { parseSeedFlag } from './seed-flag.js';
import { DIRECTING_FLAGS_HELP, DIRECTING_OPTIONS, directingInputFromFlags, promptFromFile } from './directing-flags.js';
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
  cache: { type: 'string' },
  'magcache-threshold': { type: 'string' },
  'magcache-max-skips': { type: 'string' },
  'magcache-retention': { type: 'string' },
  crf: { type: 'string' },
  model: { type: 'string' },
  lora: { type: 'string', multiple: true },
  resolution: { type: 'string' },
  extend: { type: 'string' },
  'extend-context': { type: 'string' },
  'extend-job': { type: 'string' },
  from: { type: 'string' },
  preset: { type: 'string' },
  ...DIRECTING_OPTIONS,
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

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/** A strict number: the whole text must be a finite decimal number (Number() alone takes 0x10, 0b1, 0o7). */
export function parseNumberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got ${JSON.stringify(text)})`);
  return n;
}

const str = (v: string | boolean | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** `--lora FILE[:STRENGTH]` (repeatable) → absolute paths with strengths. */
function lorasFromFlags(v: string | boolean | string[] | undefined): JobSpecInput['loras'] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  if (list.length === 0) return undefined;
  if (list.length > MAX_LORAS) throw new UsageError(`--lora: at most ${MAX_LORAS} LoRAs per job (got ${list.length})`);
  return list.map((text) => {
    try {
      const l = parseLoraArg(text);
      return { path: path.resolve(l.path), strength: l.strength };
    } catch (err: unknown) {
      throw new UsageError((err as Error).message);
    }
  });
}

/** Flag values → the spec's optional fields (ranges are checked by the spec schema). */
export function jobInputFromFlags(v: ParsedValues): JobSpecInput {
  if (v.teacache === true && v['no-teacache'] === true) throw new UsageError('--teacache and --no-teacache contradict each other');
  const input: JobSpecInput = {
    imagePath: str(v.image),
    prompt: str(v.prompt) ?? promptFromFile(v),
    negativePrompt: str(v.negative),
    seconds: parseNumberFlag('--seconds', str(v.seconds)),
    seed: parseSeedFlag(str(v.seed)),
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
    loras: lorasFromFlags(v.lora),
    resolution: parseNumberFlag('--resolution', str(v.resolution)),
    extendVideo: str(v.extend) === undefined ? undefined : path.resolve(str(v.extend)!),
    extendContext: parseNumberFlag('--extend-context', str(v['extend-context'])),
    ...stepCacheFlags(v),
    ...directingInputFromFlags(v),
  };
  return input;
}

export interface ResolvedJob {
  spec: JobSpec;
  /** --extend-job: the daemon's job to continue (its stored latents; only the daemon can find them). */
  extendJob?: string;
  modelDir: string;
  manifest: Manifest;
}

/** Resolves the model, reads its manifest and validates the whole spec (UsageError-class errors). */
export async function resolveJob(flags: ParsedValues, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedJob> {
  // Flags over the preset over the defaults.* settings.
  const preset = str(flags.preset);
  const base = preset === undefined ? defaultJobFlags(env) : withSettingsDefaults(presetFlagsNamed(preset, env), defaultJobFlags(env));
  const from = str(flags.from);
  const v = withSettingsDefaults(flags, from === undefined ? base : withSettingsDefaults(sourceFromCommandLine(await sidecarFlags(from), flags), base));
  // An end strength from a preset qualifies an end image; without one it is left out, not an error.
  if (v['end-image'] === undefined && flags['end-strength'] === undefined) delete v['end-strength'];
  const input = jobInputFromFlags(v);
  const extendJob = checkExtensionFlags(v, input, flags);
  if (input.prompt === undefined) throw new UsageError('--prompt is required (use --prompt "" for none, or --prompt-file PATH)');
  const model = str(v.model) ?? DEFAULT_MODEL;
  if (model.trim() === '') throw new UsageError('--model must not be empty');
  const modelDir = await resolveModelDir(model);
  const manifest = await readManifest(modelDir);
  return { spec: resolveJobSpec(input, manifest, model), modelDir, manifest, ...(extendJob !== undefined ? { extendJob } : {}) };
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

/** Flags over the `defaults.*` settings (an explicit --teacache/--no-teacache or --cache replaces the teacache setting). */
export function withSettingsDefaults(flags: ParsedValues, defaults: ParsedValues): ParsedValues {
  const d = { ...defaults };
  if (flags.teacache !== undefined || flags['no-teacache'] !== undefined || flags.cache !== undefined) {
    delete d.teacache;
    delete d['no-teacache'];
    delete d.cache;
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...d, ...defined };
}

/** Help text for the shared flags. */
export const JOB_FLAGS_HELP = `  --image PATH            start frame (PNG, JPEG, WebP, …; EXIF orientation honoured)   required (not with
                                                                                        --extend, --extend-job)
  --prompt TEXT           what happens in the video                                      required (or --prompt-file)
  --negative TEXT         negative prompt (used only when --cfg ≠ 1)                     default ""
  --seconds S             video length, > 0 and ≤ 120                                    default 5
  --seed N                integer (torch's range: -2^63 … 2^64-1; only the low 32 bits   default 31337
                          draw the noise, so -1 runs as 4294967295)
  --steps N               sampling steps per section, 1–100                              default: bundle (25)
  --gs X                  distilled guidance, 0–32                                       default: bundle (10)
  --cfg X                 real CFG, 1–32 (1 = off)                                       default: bundle (1)
  --rs X                  guidance rescale, 0–1                                          default: bundle (0)
  --window N              latent window size, 1–33                                       default: bundle (9)
  --shift X               fixed flow-matching shift, > 0 and ≤ 100 (default: from the
                          resolution, ≤ 7)
  --sampler NAME          unipc (UniPC bh1) | unipc-bh2 | euler                          default unipc
  --mode NAME             inverted | f1 | vanilla                                        default: bundle variant
  --teacache, --no-teacache   TeaCache block skipping                                    default: bundle (on)
  --teacache-threshold X  TeaCache threshold, > 0 and ≤ 10                               default: bundle (0.15)
  --cache tea|mag|off     step cache: tea (TeaCache), mag (MagCache; the bundle          default: tea (off with
                          must be calibrated: framepack models calibrate) or off;        --no-teacache)
                          wins over --teacache
  --magcache-threshold X  MagCache accumulated-error threshold, > 0 and ≤ 10             default 0.1
  --magcache-max-skips N  MagCache's most consecutive skipped steps, 0–100               default 2
  --magcache-retention X  MagCache: the first X·steps steps always compute, 0–1          default 0.25
  --crf N                 H.264 quality, 0–51 (lower is better)                          default 16
  --model NAME|PATH       bundle name (in $FRAMEPACK_MODELS_DIR or models/); a folder    default framepack-tiny
                          only with plan or generate --local
  --lora FILE[:STRENGTH]  a HunyuanVideo/FramePack LoRA (.safetensors; diffusers/PEFT, Kohya/Musubi
                          or original names) at STRENGTH (−10…10, default 1); repeat for up to 8
                          (docs/lora.md)
  --resolution N          bucket class 32–2048: the model's table scaled to N (official
                          table = 640; another class is off-distribution)                default: the model's own
  --extend VIDEO          continue this video (F1 order): its last frames are VAE-encoded as the
                          history; writes the whole video plus --seconds more. No --image
  --extend-context N      frames of VIDEO to encode, 1–73 (rounded down to 1 + 4k)       default 73 (or all)
  --extend-job ID         continue a finished daemon job from its stored latents (nothing
                          re-encoded); no --image
  --from SIDECAR.json     re-run a job from its sidecar (seed included) and the images kept
                          beside it (<stem>.png, .end.png, .keyframe-<i>.png); the flags given win
${DIRECTING_FLAGS_HELP}
  --preset NAME           start from a saved preset (framepack presets ls); the flags above win
  --json                  machine-readable output (see docs/cli.md)
  -h, --help              this help`;

/**
 * The image and extension flags together: an extension has no --image (its source's last frame
 * stands in, so the spec's imagePath is the source and is never read as an image); --extend-job
 * is resolved by the daemon, so here it only fixes the mode. Returns the --extend-job id.
 */
function checkExtensionFlags(v: ParsedValues, input: JobSpecInput, given: ParsedValues): string | undefined {
  const extendJob = str(v['extend-job']);
  // What --from's sidecar could not supply and the command line did not give either.
  for (const [flag, line] of Object.entries(JSON.parse(str(v.fromMissing) ?? '{}') as Record<string, string>)) {
    const given = flag === 'extend' ? input.extendVideo !== undefined || extendJob !== undefined : v[flag] !== undefined;
    if (!given) throw new UsageError(line);
  }
  if (extendJob !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(extendJob)) throw new UsageError(`--extend-job must be a job id (got ${JSON.stringify(extendJob)})`);
  if (extendJob !== undefined && input.extendVideo !== undefined) throw new UsageError('--extend and --extend-job contradict each other (one source per job)');
  const source = input.extendVideo ?? (extendJob !== undefined ? `job:${extendJob}` : undefined);
  if (source === undefined) {
    if (input.imagePath === undefined) throw new UsageError('--image is required (the start frame), or --extend VIDEO / --extend-job ID to continue a video');
    return undefined;
  }
  if (str(given.image) !== undefined) throw new UsageError('--image and --extend/--extend-job contradict each other: an extension continues from its source\'s last frame');
  input.imagePath = source;
  if (extendJob !== undefined) {
    if (input.mode !== undefined && input.mode !== 'f1') throw new UsageError(`--mode must be f1 for an extension (it continues forward; got ${input.mode})`);
    if (input.extendContext !== undefined) throw new UsageError('--extend-context applies to --extend VIDEO; --extend-job continues from the job\'s stored latents');
    if (input.resolution !== undefined) throw new UsageError('--resolution cannot change the size of --extend-job (the job\'s latents fix it)');
    input.mode = 'f1';
  }
  return extendJob;
}
