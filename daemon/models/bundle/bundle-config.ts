// The bundle *config* a user writes to build a bundle (scripts/build-bundle.ts --config): name,
// variant, a size preset ('tiny' | 'full') and any overrides, per component and per section.
// resolveBundleConfig() turns it into every value the manifest needs, validating each component's
// architecture config with its definition's schema.
import { z } from 'zod';
import type { ComponentDefinition } from '../component.js';
import { HUNYUAN_VIDEO_PROMPT_TEMPLATE } from '../tokenizer/prompt-encoding.js';
import { BundleError } from './bundle-error.js';
import {
  MODEL_COMPONENT_IDS, bucketSchema, imageEncoderGeometrySchema, samplingDefaultsSchema, textConditioningSchema,
  type Bucket, type ImageEncoderGeometry, type LatentGeometry, type ModelComponentId, type SamplingDefaults, type TextConditioning,
} from './manifest.js';

export type ComponentDefinitions = Record<ModelComponentId, ComponentDefinition<unknown>>;

/** HunyuanVideo's DEFAULT_PROMPT_TEMPLATE (FRAMEPACK.md §2.1), '{}' marking the user prompt. */
export const HUNYUAN_LLAMA_TEMPLATE: string = HUNYUAN_VIDEO_PROMPT_TEMPLATE;

/** The official resolution-640 bucket table (FRAMEPACK.md §3.1), as (height, width), in scan order. */
export const OFFICIAL_BUCKETS_640: Bucket[] = ([
  [416, 960], [448, 864], [480, 832], [512, 768], [544, 704], [576, 672], [608, 640],
  [640, 608], [672, 576], [704, 544], [768, 512], [832, 480], [864, 448], [960, 416],
] as const).map(([height, width]) => ({ height, width }));

/**
 * The default bundle's buckets: ~6–8 k pixels each, multiples of 16, ordered like the official table
 * (widest first). At 64×96 a section has 9 × 4 × 6 = 216 noisy tokens.
 */
export const TINY_BUCKETS: Bucket[] = ([
  [48, 128], [64, 112], [64, 96], [80, 80], [96, 64], [112, 64], [128, 48],
] as const).map(([height, width]) => ({ height, width }));

/** The official demo's sampling defaults (FRAMEPACK.md §6–7, §13). */
export const OFFICIAL_DEFAULTS: SamplingDefaults = {
  steps: 25, gs: 10, cfg: 1, rs: 0, windowSize: 9, fps: 30, shift: null,
  teacache: { enabled: true, threshold: 0.15 },
};

/** HunyuanVideo latent geometry (FRAMEPACK.md §4.1); the VAE config overrides it when it says otherwise. */
export const HUNYUAN_LATENT: LatentGeometry = { channels: 16, spatialCompression: 8, temporalCompression: 4, scalingFactor: 0.476986 };
export const CONTEXT_KERNELS: [number, number, number][] = [[1, 2, 2], [2, 4, 4], [4, 8, 8]];

interface SectionPreset {
  text: TextConditioning;
  imageEncoder: ImageEncoderGeometry;
  buckets: Bucket[];
  defaultBucket: Bucket;
  defaults: SamplingDefaults;
}

/** Everything but the component configs, per preset (those come from each definition's full/tiny). */
export const SECTION_PRESETS: Record<'full' | 'tiny', SectionPreset> = {
  full: {
    text: { llamaTemplate: HUNYUAN_LLAMA_TEMPLATE, maxUserTokens: 256, paddedLength: 512, clipMaxLength: 77 },
    imageEncoder: { imageSize: 384, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    buckets: OFFICIAL_BUCKETS_640,
    // What a square input picks (ties go to the later bucket).
    defaultBucket: { height: 640, width: 608 },
    defaults: OFFICIAL_DEFAULTS,
  },
  tiny: {
    text: { llamaTemplate: HUNYUAN_LLAMA_TEMPLATE, maxUserTokens: 64, paddedLength: 128, clipMaxLength: 77 },
    imageEncoder: { imageSize: 384, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, // imageSize follows the encoder config
    buckets: TINY_BUCKETS,
    defaultBucket: { height: 64, width: 96 },
    defaults: OFFICIAL_DEFAULTS,
  },
};

const presetSchema = z.enum(['tiny', 'full']);
/** A component entry: a preset name, or an object of config keys laid over the bundle's preset. */
const componentConfigSchema = z.union([presetSchema, z.record(z.string(), z.unknown())]);

export const bundleConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
  description: z.string().default(''),
  variant: z.enum(['inverted', 'f1']).default('inverted'),
  /** Base size for every component and section not overridden below. */
  preset: presetSchema.default('full'),
  components: z.object({
    transformer: componentConfigSchema.optional(),
    vae: componentConfigSchema.optional(),
    text_encoder: componentConfigSchema.optional(),
    text_encoder_2: componentConfigSchema.optional(),
    image_encoder: componentConfigSchema.optional(),
  }).strict().default({}),
  buckets: z.array(bucketSchema).min(1).optional(),
  defaultBucket: bucketSchema.optional(),
  defaults: samplingDefaultsSchema.partial().optional(),
  text: z.object({
    llamaTemplate: z.string(), maxUserTokens: z.number(), paddedLength: z.number(), clipMaxLength: z.number(),
  }).partial().optional(),
  imageEncoder: z.object({ mean: imageEncoderGeometrySchema.shape.mean, std: imageEncoderGeometrySchema.shape.std }).partial().optional(),
}).strict();
export type BundleConfig = z.input<typeof bundleConfigSchema>;

/** Every value the builder needs, validated: the manifest minus files, hashes and estimates. */
export interface ResolvedBundleConfig {
  name: string;
  description: string;
  variant: 'inverted' | 'f1';
  components: Record<ModelComponentId, unknown>;
  latent: LatentGeometry;
  contextKernels: [number, number, number][];
  patchSize: [number, number, number];
  text: TextConditioning;
  imageEncoder: ImageEncoderGeometry;
  buckets: Bucket[];
  defaultBucket: Bucket;
  defaults: SamplingDefaults;
}

function fail(message: string): never {
  throw new BundleError('INVALID_CONFIG', message);
}

/** 'field.path: message; …', each path under `prefix` (e.g. 'components.vae'). */
function issues(error: z.ZodError, prefix?: string): string {
  return error.issues.map((i) => {
    const where = [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.');
    return `${where || '(root)'}: ${i.message}`;
  }).join('; ');
}

const num = (c: unknown, key: string): number | undefined => {
  const v = (c as Record<string, unknown> | null)?.[key];
  return typeof v === 'number' ? v : undefined;
};

/** Validates a bundle config (parsed JSON) and fills in everything from presets and component configs. */
export function resolveBundleConfig(input: unknown, definitions: ComponentDefinitions): ResolvedBundleConfig {
  const parsed = bundleConfigSchema.safeParse(input);
  if (!parsed.success) fail(`bundle config: ${issues(parsed.error)}`);
  const cfg = parsed.data;
  const preset = SECTION_PRESETS[cfg.preset];

  const components = {} as Record<ModelComponentId, unknown>;
  for (const id of MODEL_COMPONENT_IDS) {
    const def = definitions[id];
    const entry = cfg.components[id] ?? cfg.preset;
    const raw = typeof entry === 'string' ? def[entry] : { ...(def[cfg.preset] as object), ...entry };
    const r = def.configSchema.safeParse(raw);
    if (!r.success) fail(`bundle config: ${issues(r.error, `components.${id}`)}`);
    components[id] = r.data;
  }

  // Geometry comes from the architectures where they state it, so the manifest cannot contradict the graphs.
  const vae = components.vae;
  const latent: LatentGeometry = {
    channels: num(vae, 'latentChannels') ?? HUNYUAN_LATENT.channels,
    spatialCompression: num(vae, 'spatialCompressionRatio') ?? HUNYUAN_LATENT.spatialCompression,
    temporalCompression: num(vae, 'temporalCompressionRatio') ?? HUNYUAN_LATENT.temporalCompression,
    scalingFactor: num(vae, 'scalingFactor') ?? HUNYUAN_LATENT.scalingFactor,
  };
  const tf = components.transformer;
  const patchSize: [number, number, number] = [num(tf, 'patchSizeT') ?? 1, num(tf, 'patchSize') ?? 2, num(tf, 'patchSize') ?? 2];
  const tfIn = num(tf, 'inChannels');
  if (tfIn !== undefined && tfIn !== latent.channels) fail(`bundle config: transformer inChannels ${tfIn} ≠ VAE latent channels ${latent.channels}`);

  // CLIP pads to its position table's length, whatever the preset says.
  const clipPositions = num(components.text_encoder_2, 'maxPositions');
  const text = textConditioningSchema.safeParse({ ...preset.text, ...cfg.text, ...(clipPositions ? { clipMaxLength: clipPositions } : {}) });
  if (!text.success) fail(`bundle config: ${issues(text.error, 'text')}`);
  const imageEncoder = imageEncoderGeometrySchema.safeParse({
    ...preset.imageEncoder, ...cfg.imageEncoder,
    imageSize: num(components.image_encoder, 'imageSize') ?? preset.imageEncoder.imageSize,
  });
  if (!imageEncoder.success) fail(`bundle config: ${issues(imageEncoder.error, 'imageEncoder')}`);
  const defaults = samplingDefaultsSchema.safeParse({ ...preset.defaults, ...cfg.defaults });
  if (!defaults.success) fail(`bundle config: ${issues(defaults.error, 'defaults')}`);

  const buckets = cfg.buckets ?? preset.buckets;
  const defaultBucket = cfg.defaultBucket ?? (cfg.buckets ? cfg.buckets[0]! : preset.defaultBucket);
  const cellH = latent.spatialCompression * patchSize[1];
  const cellW = latent.spatialCompression * patchSize[2];
  for (const b of buckets) {
    if (b.height % cellH || b.width % cellW) fail(`bundle config: bucket ${b.height}×${b.width} is not a multiple of ${cellH}×${cellW}`);
  }
  if (!buckets.some((b) => b.height === defaultBucket.height && b.width === defaultBucket.width)) {
    fail(`bundle config: defaultBucket ${defaultBucket.height}×${defaultBucket.width} is not one of the buckets`);
  }
  return {
    name: cfg.name, description: cfg.description, variant: cfg.variant, components, latent,
    contextKernels: CONTEXT_KERNELS.map((k) => [...k] as [number, number, number]), patchSize,
    text: text.data, imageEncoder: imageEncoder.data, buckets, defaultBucket, defaults: defaults.data,
  };
}
