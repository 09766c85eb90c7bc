// The schema of a model bundle's manifest.json (ARCHITECTURE.md §4): what the bundle is (variant,
// latent and encoder geometry, buckets, default sampling parameters) and exactly which files it
// holds (size + sha256), so a loader can refuse a bundle that is incomplete or was altered.
import { z } from 'zod';
import { componentQuantizationSchema } from './quantization.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT_VERSION = 1;

/** Components as named in manifest.json: the five networks plus the two tokenizers. */
export const MODEL_COMPONENT_IDS = ['transformer', 'vae', 'text_encoder', 'text_encoder_2', 'image_encoder'] as const;
export const TOKENIZER_COMPONENT_IDS = ['tokenizer', 'tokenizer_2'] as const;
export const BUNDLE_COMPONENT_IDS = [...MODEL_COMPONENT_IDS, ...TOKENIZER_COMPONENT_IDS] as const;
export type ModelComponentId = (typeof MODEL_COMPONENT_IDS)[number];
export type TokenizerComponentId = (typeof TOKENIZER_COMPONENT_IDS)[number];
export type BundleComponentId = (typeof BUNDLE_COMPONENT_IDS)[number];

/** A path inside the bundle: relative, '/'-separated, never leaving the bundle folder. */
export const bundlePathSchema = z.string().min(1).refine(
  (p) => !p.startsWith('/') && !p.includes('\\') && !/^[A-Za-z]:/.test(p) && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
  { message: "must be a relative '/'-separated path inside the bundle (no '..', no leading '/')" },
);

export const fileEntrySchema = z.object({
  /** Relative to the bundle folder. */
  path: bundlePathSchema,
  /** Exact size in bytes. */
  bytes: z.number().int().nonnegative(),
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

const positiveInt = z.number().int().positive();
const kernelSchema = z.tuple([positiveInt, positiveInt, positiveInt]);

/** A bucket: output frame size in pixels (multiples of spatialCompression × patch size). */
export const bucketSchema = z.object({ height: positiveInt, width: positiveInt });
export type Bucket = z.infer<typeof bucketSchema>;

export const latentGeometrySchema = z.object({
  channels: positiveInt,
  /** Pixels per latent cell along height and width (8 for HunyuanVideo's VAE). */
  spatialCompression: positiveInt,
  /** Pixel frames per latent frame after the first (4: 1 + 4k frames ↔ 1 + k latents). */
  temporalCompression: positiveInt,
  /** Latents are multiplied by this after encoding and divided before decoding. */
  scalingFactor: z.number().positive(),
});
export type LatentGeometry = z.infer<typeof latentGeometrySchema>;

export const textConditioningSchema = z.object({
  /** The Llama prompt template; the user prompt goes where '{}' is. */
  llamaTemplate: z.string().refine((t) => t.split('{}').length === 2, { message: "must contain exactly one '{}' slot" }),
  /** Most user-prompt tokens kept after the template prefix is cropped (256 officially). */
  maxUserTokens: positiveInt,
  /** Llama conditioning is zero-padded (with a mask) to this length (512 officially). */
  paddedLength: positiveInt,
  /** CLIP tokenizer max length (77). */
  clipMaxLength: positiveInt,
}).refine((t) => t.paddedLength >= t.maxUserTokens, { message: 'paddedLength must be ≥ maxUserTokens', path: ['paddedLength'] });
export type TextConditioning = z.infer<typeof textConditioningSchema>;

export const imageEncoderGeometrySchema = z.object({
  /** The image is resized to imageSize × imageSize before the image encoder. */
  imageSize: positiveInt,
  /** Per-channel normalisation after scaling pixels to [0, 1]: (x − mean) / std. */
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
});
export type ImageEncoderGeometry = z.infer<typeof imageEncoderGeometrySchema>;

export const samplingDefaultsSchema = z.object({
  steps: positiveInt,
  /** Distilled guidance scale fed to the transformer. */
  gs: z.number().nonnegative(),
  /** Real classifier-free guidance scale (1 = off). */
  cfg: z.number().positive(),
  /** Guidance rescale. */
  rs: z.number().min(0).max(1),
  /** Latent frames generated per section (9 officially: 33 pixel frames). */
  windowSize: positiveInt,
  fps: positiveInt,
  /** Fixed flow-matching shift, or null for the resolution-dependent one (FRAMEPACK.md §6.2). */
  shift: z.number().positive().nullable(),
  teacache: z.object({ enabled: z.boolean(), threshold: z.number().positive() }),
});
export type SamplingDefaults = z.infer<typeof samplingDefaultsSchema>;

export const weightDtypeSchema = z.enum(['float32', 'float16']);
export type BundleWeightDtype = z.infer<typeof weightDtypeSchema>;

/** How the graphs write attention (docs/bundles.md): MatMul→Softmax→MatMul or com.microsoft MultiHeadAttention. */
export const attentionFormSchema = z.enum(['explicit', 'fused']);

const jsonObjectSchema = z.record(z.string(), z.unknown());

/** Graph input/output signature as written into the ONNX file (string dims are dynamic axes). */
export const valueSignatureSchema = z.object({
  name: z.string().min(1),
  dtype: z.string().min(1),
  dims: z.array(z.union([z.number().int().nonnegative(), z.string().min(1)])),
});
export type ValueSignature = z.infer<typeof valueSignatureSchema>;

export const graphEntrySchema = z.object({
  /** The .onnx file (its external data, if any, is `<file>.data`, also listed in files). */
  file: bundlePathSchema,
  inputs: z.array(valueSignatureSchema),
  outputs: z.array(valueSignatureSchema),
});
export type GraphEntry = z.infer<typeof graphEntrySchema>;

export const memoryEstimateSchema = z.object({
  /** Bytes of all initializers of the component's graphs. */
  weightBytes: z.number().int().nonnegative(),
  /** Peak intermediate activations of one call at the default bucket (docs/bundles.md). */
  activationBytes: z.number().int().nonnegative(),
});

export const modelComponentSchema = z.object({
  kind: z.literal('model'),
  /** The architecture configuration the graphs were built from (the definition's config). */
  config: jsonObjectSchema,
  files: z.array(fileEntrySchema).min(1),
  /** The component's graphs by stem (e.g. 'vae_decoder'). */
  graphs: z.record(z.string().min(1), graphEntrySchema),
  /** Compute dtype: activations, and the weights not quantised. */
  weightDtype: weightDtypeSchema,
  /** Absent in bundles built before the option existed, which are all 'explicit'. */
  attention: attentionFormSchema.default('explicit'),
  /** Present when Linear layers are stored as MatMulNBits 4- or 8-bit weights (docs/bundles.md). */
  quantization: componentQuantizationSchema.optional(),
  /**
   * Transformer only, present when the bundle was built with `--block-groups K`: the blocks are
   * also written as K graphs transformer_blocks_g0 … g{K−1} (block-groups.ts) that a job under the
   * stream-blocks memory plan runs one after another (docs/memory.md). memory.weightBytes does not
   * count them (they duplicate transformer_blocks' weights).
   */
  blockGroups: z.number().int().min(2).optional(),
  parameterCount: z.number().int().nonnegative(),
  memory: memoryEstimateSchema,
  /** weightBytes + activationBytes: what the component needs resident to run at the default bucket. */
  estimatedResidentBytes: z.number().int().nonnegative(),
});
export type ModelComponentEntry = z.infer<typeof modelComponentSchema>;

export const tokenizerComponentSchema = z.object({
  kind: z.literal('tokenizer'),
  config: jsonObjectSchema,
  files: z.array(fileEntrySchema).min(1),
  estimatedResidentBytes: z.number().int().nonnegative(),
});
export type TokenizerComponentEntry = z.infer<typeof tokenizerComponentSchema>;

export const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  /** Bundle id: lower-case letters, digits, '.', '_' and '-'. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
  description: z.string(),
  /** 'inverted': anti-drifting, generated last section first (FramePackI2V_HY); 'f1': forward. */
  variant: z.enum(['inverted', 'f1']),
  latent: latentGeometrySchema,
  /** Context patchifier kernels (t, h, w) for the 1×, 2× and 4× compressed history. */
  contextKernels: z.array(kernelSchema).length(3),
  /** The noisy latents' patch size (t, h, w). */
  patchSize: kernelSchema,
  text: textConditioningSchema,
  imageEncoder: imageEncoderGeometrySchema,
  /** Buckets in scan order (ties go to the later one, FRAMEPACK.md §3.1). */
  buckets: z.array(bucketSchema).min(1),
  defaultBucket: bucketSchema,
  defaults: samplingDefaultsSchema,
  components: z.object({
    transformer: modelComponentSchema,
    vae: modelComponentSchema,
    text_encoder: modelComponentSchema,
    text_encoder_2: modelComponentSchema,
    image_encoder: modelComponentSchema,
    tokenizer: tokenizerComponentSchema,
    tokenizer_2: tokenizerComponentSchema,
  }),
}).superRefine((m, ctx) => {
  const cell = m.latent.spatialCompression * m.patchSize[1];
  const cellW = m.latent.spatialCompression * m.patchSize[2];
  m.buckets.forEach((b, i) => {
    if (b.height % cell !== 0 || b.width % cellW !== 0) {
      ctx.addIssue({ code: 'custom', path: ['buckets', i], message: `${b.height}×${b.width} is not a multiple of ${cell}×${cellW} (spatialCompression × patchSize)` });
    }
  });
  if (!m.buckets.some((b) => b.height === m.defaultBucket.height && b.width === m.defaultBucket.width)) {
    ctx.addIssue({ code: 'custom', path: ['defaultBucket'], message: `${m.defaultBucket.height}×${m.defaultBucket.width} is not in buckets` });
  }
  const seen = new Map<string, string>();
  for (const [id, c] of Object.entries(m.components)) {
    const own = new Set<string>();
    c.files.forEach((f, i) => {
      const owner = seen.get(f.path);
      if (owner) ctx.addIssue({ code: 'custom', path: ['components', id, 'files', i, 'path'], message: `'${f.path}' is already listed by ${owner}` });
      seen.set(f.path, id);
      own.add(f.path);
    });
    if (c.kind === 'model') {
      for (const [stem, g] of Object.entries(c.graphs)) {
        if (!own.has(g.file)) ctx.addIssue({ code: 'custom', path: ['components', id, 'graphs', stem, 'file'], message: `'${g.file}' is not in this component's files` });
      }
      if (Object.keys(c.graphs).length === 0) ctx.addIssue({ code: 'custom', path: ['components', id, 'graphs'], message: 'a model component needs at least one graph' });
      for (let i = 0; i < (c.blockGroups ?? 0); i++) {
        if (!c.graphs[`transformer_blocks_g${i}`]) ctx.addIssue({ code: 'custom', path: ['components', id, 'graphs'], message: `blockGroups is ${c.blockGroups} but graph 'transformer_blocks_g${i}' is missing` });
      }
    }
  }
});
export type Manifest = z.infer<typeof manifestSchema>;

/** One line per problem, each naming the manifest field ('components.vae.files.0.sha256: …'). */
export function describeManifestIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
