// The generation parameters of one job (FRAMEPACK.md §6, §8, §12, §13) as a zod schema. Every
// range check names the command-line flag it came from, so a bad value becomes one clear line
// (`--seconds must be > 0 and ≤ 120 (got 0)`). Fields left out take the bundle manifest's
// defaults (steps, gs, cfg, rs, window, shift, TeaCache) or the official UI defaults (seed 31337,
// 5 s, CRF 16).
import { z } from 'zod';
import type { Manifest, SamplingDefaults } from '../../models/bundle/manifest.js';
import { MAX_RESOLUTION, MIN_RESOLUTION } from '../bucket-class.js';
import { MAX_CONTEXT_FRAMES } from '../extension-plan.js';
import { MAGCACHE_DEFAULTS } from '../magcache.js';
import { STEP_CACHE_KINDS, type StepCacheKind } from '../step-cache.js';
import { checkDirecting } from './job-directing.js';

export const SAMPLER_NAMES = ['unipc', 'unipc-bh2', 'euler'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];
export const MODE_NAMES = ['inverted', 'f1', 'vanilla'] as const;
export type GenerationMode = (typeof MODE_NAMES)[number];

/** The official UI defaults that are not properties of a bundle (FRAMEPACK.md §13). */
export const UI_DEFAULTS = Object.freeze({ seconds: 5, seed: 31337, crf: 16, negativePrompt: '' });
/** Longest video the official slider allows. */
export const MAX_SECONDS = 120;

/** The parameter → flag map used in every message. */
export const FLAG_OF: Readonly<Record<keyof JobSpec, string>> = Object.freeze({
  imagePath: '--image', prompt: '--prompt', negativePrompt: '--negative', seconds: '--seconds', seed: '--seed',
  steps: '--steps', gs: '--gs', cfg: '--cfg', rs: '--rs', windowSize: '--window', shift: '--shift',
  sampler: '--sampler', mode: '--mode', teacache: '--teacache', teacacheThreshold: '--teacache-threshold',
  cache: '--cache', magcacheThreshold: '--magcache-threshold', magcacheMaxSkips: '--magcache-max-skips', magcacheRetention: '--magcache-retention',
  crf: '--crf', model: '--model', loras: '--lora',
  resolution: '--resolution', extendVideo: '--extend', extendContext: '--extend-context', extendLatents: '--extend-job',
  endImagePath: '--end-image', endStrength: '--end-strength', keyframes: '--keyframe', promptBlend: '--prompt-blend',
});

/** An image that anchors the section containing `seconds` (display time; issue 17, section-conditioning.ts). */
export interface Keyframe { seconds: number; imagePath: string }

/** A fully resolved, validated job: every value is explicit (nothing left to the bundle). */
export interface JobSpec {
  imagePath: string;
  prompt: string;
  negativePrompt: string;
  seconds: number;
  seed: number;
  steps: number;
  /** Distilled guidance scale. */
  gs: number;
  /** Real CFG scale; 1 skips the negative pass. */
  cfg: number;
  /** Guidance rescale. */
  rs: number;
  /** Latent window size (latent frames per section). */
  windowSize: number;
  /** Explicit flow-matching shift, or null for the sequence-length one (capped at 7). */
  shift: number | null;
  sampler: SamplerName;
  mode: GenerationMode;
  /** Always cache === 'tea' once resolved; as input, the old switch (cache absent: true → tea, false → off). */
  teacache: boolean;
  teacacheThreshold: number;
  /** Which step cache skips transformer blocks (step-cache.ts); given, it wins over `teacache`. */
  cache: StepCacheKind;
  magcacheThreshold: number;
  magcacheMaxSkips: number;
  magcacheRetention: number;
  crf: number;
  /** Bundle name or folder. */
  model: string;
  /** LoRAs on the transformer (file + strength); checked against the bundle by the engine (docs/lora.md). */
  loras?: { path: string; strength: number }[];
  /** Bucket class (bucket-class.ts); null = the model's own table. */
  resolution: number | null;
  /** Extension (extension-plan.ts): the video to continue, or null. */
  extendVideo: string | null;
  /** Pixel frames of extendVideo to encode as context; null = as many as F1 reads (73). */
  extendContext: number | null;
  /** Extension of a finished job: its `<stem>.latents` file (the video beside it is continued), or null. */
  extendLatents: string | null;
  /** Directing (issue 17; absent = none). End image: the last frame leans on it (inverted only). */
  endImagePath?: string;
  /** How strongly the end image acts, 0..1 (default 1 with an end image). */
  endStrength?: number;
  keyframes?: Keyframe[];
  /** Sections over which each timestamped-prompt change is blended (default 0). */
  promptBlend?: number;
}

/** What a caller may give: anything optional except the image and the prompt. */
export type JobSpecInput = Partial<Omit<JobSpec, 'imagePath' | 'prompt'>> & { imagePath?: string; prompt?: string };

/** A bad parameter; `message` is one line that starts with the flag. */
export class JobSpecError extends Error {
  override readonly name = 'JobSpecError';
  constructor(readonly flag: string, readonly problem: string) {
    super(`${flag} ${problem}`);
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

interface NumberRule { min?: number; minExclusive?: boolean; max?: number; integer?: boolean; nullable?: boolean }

function describeRule(r: NumberRule): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`${r.minExclusive ? '>' : '≥'} ${r.min}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  const range = parts.join(' and ');
  return r.integer ? `must be an integer${range ? ` ${range}` : ''}` : `must be ${range || 'a number'}`;
}

/** A number field whose failure message is `<flag> must be … (got X)`. */
function numberField(key: keyof JobSpec, rule: NumberRule) {
  const flag = FLAG_OF[key];
  return z.unknown().transform((v, ctx): number => {
    if (rule.nullable && v === null) return null as unknown as number;
    const ok = typeof v === 'number' && Number.isFinite(v)
      && (!rule.integer || Number.isInteger(v))
      && (rule.min === undefined || (rule.minExclusive ? v > rule.min : v >= rule.min))
      && (rule.max === undefined || v <= rule.max);
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: `${flag} ${describeRule(rule)} (got ${show(v)})` });
      return z.NEVER;
    }
    return v as number;
  });
}

function enumField<T extends readonly [string, ...string[]]>(key: keyof JobSpec, values: T) {
  const flag = FLAG_OF[key];
  return z.unknown().transform((v, ctx): T[number] => {
    if (typeof v !== 'string' || !values.includes(v)) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be one of ${values.join(', ')} (got ${show(v)})` });
      return z.NEVER;
    }
    return v as T[number];
  });
}

/** The protocol's limit on a prompt (shared/domain/job.ts), checked here too so --local, plan and the daemon agree. */
export const MAX_PROMPT_CHARS = 20_000;

function stringField(key: keyof JobSpec, opts: { nonEmpty?: boolean; maxChars?: number } = {}) {
  const flag = FLAG_OF[key];
  return z.unknown().transform((v, ctx): string => {
    if (typeof v !== 'string' || (opts.nonEmpty && v.trim() === '')) {
      ctx.addIssue({ code: 'custom', message: v === undefined ? `${flag} is required` : `${flag} must be a non-empty text (got ${show(v)})` });
      return z.NEVER;
    }
    if (opts.maxChars !== undefined && v.length > opts.maxChars) {
      ctx.addIssue({ code: 'custom', message: `${flag} is ${v.length} characters; at most ${opts.maxChars} (the text encoders read only its first 256 Llama / 77 CLIP tokens)` });
      return z.NEVER;
    }
    return v;
  });
}

function booleanField(key: keyof JobSpec) {
  const flag = FLAG_OF[key];
  return z.unknown().transform((v, ctx): boolean => {
    if (typeof v !== 'boolean') {
      ctx.addIssue({ code: 'custom', message: `${flag} must be true or false (got ${show(v)})` });
      return z.NEVER;
    }
    return v;
  });
}

/** The schema of a resolved spec (defaults already filled in). Ranges follow the official UI. */
export const jobSpecSchema = z.object({
  imagePath: stringField('imagePath', { nonEmpty: true }),
  prompt: stringField('prompt', { maxChars: MAX_PROMPT_CHARS }),
  negativePrompt: stringField('negativePrompt', { maxChars: MAX_PROMPT_CHARS }),
  seconds: numberField('seconds', { min: 0, minExclusive: true, max: MAX_SECONDS }),
  seed: numberField('seed', { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
  steps: numberField('steps', { min: 1, max: 100, integer: true }),
  gs: numberField('gs', { min: 0, max: 32 }),
  cfg: numberField('cfg', { min: 1, max: 32 }),
  rs: numberField('rs', { min: 0, max: 1 }),
  windowSize: numberField('windowSize', { min: 1, max: 33, integer: true }),
  shift: numberField('shift', { min: 0, minExclusive: true, max: 100, nullable: true }),
  sampler: enumField('sampler', SAMPLER_NAMES),
  mode: enumField('mode', MODE_NAMES),
  teacache: booleanField('teacache'),
  teacacheThreshold: numberField('teacacheThreshold', { min: 0, minExclusive: true, max: 10 }),
  cache: enumField('cache', STEP_CACHE_KINDS),
  magcacheThreshold: numberField('magcacheThreshold', { min: 0, minExclusive: true, max: 10 }),
  magcacheMaxSkips: numberField('magcacheMaxSkips', { min: 0, max: 100, integer: true }),
  magcacheRetention: numberField('magcacheRetention', { min: 0, max: 1 }),
  crf: numberField('crf', { min: 0, max: 51, integer: true }),
  model: stringField('model', { nonEmpty: true }),
  loras: z.array(z.object({ path: z.string().min(1), strength: z.number().finite() }), { message: '--lora must be a list of {path, strength}' }).optional(),
  resolution: numberField('resolution', { min: MIN_RESOLUTION, max: MAX_RESOLUTION, integer: true, nullable: true }),
  extendVideo: z.string().min(1).nullable(),
  extendContext: numberField('extendContext', { min: 1, max: MAX_CONTEXT_FRAMES, integer: true, nullable: true }),
  extendLatents: z.string().min(1).nullable(),
  endImagePath: stringField('endImagePath', { nonEmpty: true }).optional(),
  endStrength: numberField('endStrength', { min: 0, max: 1 }).optional(),
  keyframes: z.array(z.object({ seconds: numberField('keyframes', { min: 0 }), imagePath: stringField('keyframes', { nonEmpty: true }) })).optional(),
  promptBlend: numberField('promptBlend', { min: 0, max: 100, integer: true }).optional(),
});

/** The defaults a bundle supplies, plus the mode its checkpoint was trained for. */
export function bundleDefaults(manifest: Pick<Manifest, 'variant' | 'defaults'>): Omit<JobSpec, 'imagePath' | 'prompt' | 'model' | 'cache'> {
  const d: SamplingDefaults = manifest.defaults;
  return {
    negativePrompt: UI_DEFAULTS.negativePrompt,
    seconds: UI_DEFAULTS.seconds,
    seed: UI_DEFAULTS.seed,
    steps: d.steps,
    gs: d.gs,
    cfg: d.cfg,
    rs: d.rs,
    windowSize: d.windowSize,
    shift: d.shift,
    sampler: 'unipc',
    mode: manifest.variant,
    teacache: d.teacache.enabled,
    teacacheThreshold: d.teacache.threshold,
    magcacheThreshold: MAGCACHE_DEFAULTS.threshold,
    magcacheMaxSkips: MAGCACHE_DEFAULTS.maxSkips,
    magcacheRetention: MAGCACHE_DEFAULTS.retention,
    crf: UI_DEFAULTS.crf,
    resolution: null,
    extendVideo: null,
    extendContext: null,
    extendLatents: null,
  };
}

/**
 * Fills the gaps from the bundle and validates. Throws JobSpecError for the first bad field (in
 * schema order), whose message names the flag.
 */
export function resolveJobSpec(input: JobSpecInput, manifest: Pick<Manifest, 'variant' | 'defaults'>, model: string): JobSpec {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const merged = { ...bundleDefaults(manifest), model, ...defined };
  // `cache` wins; without it the old boolean (given or the bundle's) picks tea or off.
  const given = merged as typeof merged & { cache?: unknown };
  const withCache: Record<string, unknown> = { ...merged, cache: given.cache ?? (merged.teacache === false ? 'off' : 'tea') };
  if (typeof withCache.cache === 'string' && typeof merged.teacache === 'boolean') withCache.teacache = withCache.cache === 'tea';
  const parsed = jobSpecSchema.safeParse(withCache);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as keyof JobSpec | undefined;
    const flag = key !== undefined ? FLAG_OF[key] : '';
    const message = issue.message.startsWith(flag) && flag ? issue.message.slice(flag.length + 1) : issue.message;
    throw new JobSpecError(flag || '(spec)', message);
  }
  // An extension's mode first (it decides which directing options apply), then timestamped
  // prompts, keyframe times and the end image against the planned video (one clear error at submit).
  const spec = extensionChecked(parsed.data as JobSpec, input.mode !== undefined);
  checkDirecting(spec);
  return spec;
}

/** The parameters recorded in the MP4 metadata and the sidecar (no paths that vary per run). */
export function recordedParameters(spec: JobSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { imagePath, extendVideo, extendLatents, loras, endImagePath, keyframes, ...rest } = spec;
  const base = (p: string | null) => (p === null ? null : p.split(/[\\/]/).pop());
  return {
    ...rest, image: base(imagePath), extendVideo: base(extendVideo), extendLatents: base(extendLatents),
    ...(loras?.length ? { loras: loras.map((l) => ({ file: base(l.path), strength: l.strength })) } : {}),
    ...(endImagePath !== undefined ? { endImage: base(endImagePath), endStrength: spec.endStrength ?? 1 } : {}),
    ...(keyframes?.length ? { keyframes: keyframes.map((k) => ({ seconds: k.seconds, image: base(k.imagePath) })) } : {}),
    ...extra,
  };
}

/**
 * An extension runs forward (F1 order, extension-plan.ts) whatever the bundle's variant: an asked-for
 * other mode is an error, an unasked one becomes f1. One source at a time; the size is the source's.
 */
function extensionChecked(spec: JobSpec, modeAsked: boolean): JobSpec {
  const extending = spec.extendVideo !== null || spec.extendLatents !== null;
  if (spec.extendVideo !== null && spec.extendLatents !== null) throw new JobSpecError('--extend', 'and --extend-job contradict each other (one source per job)');
  if (!extending) {
    if (spec.extendContext !== null) throw new JobSpecError('--extend-context', 'needs --extend VIDEO');
    return spec;
  }
  if (modeAsked && spec.mode !== 'f1') throw new JobSpecError('--mode', `must be f1 for an extension (it continues forward; got ${spec.mode})`);
  if (spec.extendLatents !== null && spec.extendContext !== null) throw new JobSpecError('--extend-context', 'applies to --extend VIDEO; --extend-job continues from the job\'s stored latents');
  if (spec.extendLatents !== null && spec.resolution !== null) throw new JobSpecError('--resolution', 'cannot change the size of --extend-job (the job\'s latents fix it)');
  return { ...spec, mode: 'f1' };
}
