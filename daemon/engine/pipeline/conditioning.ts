// Everything a job computes once before sampling (FRAMEPACK.md §2, §3.2–3.3, §4.2):
// - the prompt → Llama hidden_states[-3] at the prompt's valid tokens (template prefix cropped),
//   and CLIP-L's pooled output of the raw prompt;
// - the negative prompt, encoded the same way only when cfg ≠ 1; otherwise zeros of the same
//   shapes (§2.3; the negative branch is then never evaluated);
// - the bucketed image → SigLIP last_hidden_state (resized to the encoder's square input);
// - the bucketed image → VAE posterior mean × scaling factor: the start latent.
// The 512-token zero padding of §2.1 step 5 is not materialised: at batch 1 the transformer takes
// the L valid tokens without a mask, which is what the padded, masked version computes.
import type ort from 'onnxruntime-node';
import { tensorF32, tensorI64 } from '../../onnx/run.js';
import type { Manifest } from '../../models/bundle/manifest.js';
import { CLIP_PROMPT_SPEC, encodeClipPrompt, encodeLlamaPrompt, type ClipPromptSpec, type LlamaPromptSpec } from '../../models/tokenizer/prompt-encoding.js';
import type { Tokenizer } from '../../models/tokenizer/tokenizer.js';
import { siglipPixelValues } from '../../models/image/siglip-preprocess.js';
import type { F32 } from '../../models/transformer/run-transformer.js';
import { imageToVaeInput, type RgbImage } from '../../media/pixels.js';
import { resizeExact } from '../../media/image-input.js';
import { spatialTiledEncode, type SpatialTiling } from '../../models/vae/spatial-tiling.js';
import type { Tensor5d } from '../../models/vae/temporal-tiling.js';
import type { PipelineSessions } from './sessions.js';

/** One prompt's conditioning. */
export interface PromptConditioning {
  /** Llama features of the L valid tokens, [1, L, textEmbedDim]. */
  llama: F32;
  /** CLIP-L pooled, [1, pooledDim]. */
  pooled: F32;
  /** Tokens kept (L). */
  tokens: number;
}

export interface JobConditioning {
  positive: PromptConditioning;
  /** The negative prompt's conditioning, or zeros of the positive shapes when cfg = 1. */
  negative: PromptConditioning;
  /** SigLIP last_hidden_state, [1, N, imageProjDim]. */
  imageEmbeddings: F32;
  /** VAE mean × scalingFactor, [1, C, 1, h, w]. */
  startLatent: F32;
  /** ConditioningOptions.extra's prompts, images and embedding images encoded, in its order (issue 17: directing). */
  extra?: { prompts: PromptConditioning[]; latents: F32[]; embeddings: F32[] };
}

function output(result: ort.InferenceSession.ReturnType, name: string): F32 {
  const t = result[name];
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`graph output '${name}' missing or not float32`);
  return { data: t.data, dims: [...t.dims] };
}

function llamaSpec(manifest: Manifest, tokenizer: Tokenizer): LlamaPromptSpec {
  const bos = '<|begin_of_text|>';
  return {
    template: manifest.text.llamaTemplate,
    maxUserTokens: manifest.text.maxUserTokens,
    ...(tokenizer.tokenToId(bos) !== undefined ? { bosToken: bos } : {}),
  };
}

function clipSpec(manifest: Manifest): ClipPromptSpec {
  return { ...CLIP_PROMPT_SPEC, maxLength: manifest.text.clipMaxLength };
}

/** crop_or_pad_yield_mask's crop half: at most `length` tokens (never binding: L ≤ maxUserTokens). */
function cropTokens(x: F32, length: number): F32 {
  const [, l, d] = x.dims as [number, number, number];
  if (l <= length) return x;
  return { data: x.data.slice(0, length * d), dims: [1, length, d] };
}

/** LLaMA's hidden states of `prompt`, cropped to the template's user tokens (and the padded length). */
export async function encodeLlama(s: PipelineSessions, manifest: Manifest, prompt: string): Promise<F32> {
  const enc = encodeLlamaPrompt(s.tokenizer, prompt, llamaSpec(manifest, s.tokenizer));
  const hidden = output(await s.textEncoder.run({ input_ids: tensorI64(enc.inputIds, [1, enc.inputIds.length]) }), 'hidden_states');
  const d = hidden.dims[2]!;
  const tokens = enc.keepEnd - enc.keepStart;
  return cropTokens({ data: hidden.data.slice(enc.keepStart * d, enc.keepEnd * d), dims: [1, tokens, d] }, manifest.text.paddedLength);
}

/** CLIP-L's pooled output of `prompt`. */
export async function encodeClip(s: PipelineSessions, manifest: Manifest, prompt: string): Promise<F32> {
  const clip = encodeClipPrompt(s.tokenizer2, prompt, clipSpec(manifest));
  return output(await s.textEncoder2.run({
    input_ids: tensorI64(clip.inputIds, [1, clip.inputIds.length]),
    eos_index: tensorI64([clip.eosIndex], [1]),
  }), 'pooled');
}

export async function encodePrompt(s: PipelineSessions, manifest: Manifest, prompt: string): Promise<PromptConditioning> {
  const llama = await encodeLlama(s, manifest, prompt);
  const pooled = await encodeClip(s, manifest, prompt);
  return { llama, pooled, tokens: llama.dims[1]! };
}

/** §2.3: with cfg = 1 the negative conditioning is zeros shaped like the positive one. */
export function zeroConditioning(like: PromptConditioning): PromptConditioning {
  return {
    llama: { data: new Float32Array(like.llama.data.length), dims: [...like.llama.dims] },
    pooled: { data: new Float32Array(like.pooled.data.length), dims: [...like.pooled.dims] },
    tokens: like.tokens,
  };
}

/** SigLIP features of the bucketed image (resized to the encoder's S × S, bicubic). */
export async function encodeImage(s: PipelineSessions, manifest: Manifest, image: RgbImage): Promise<F32> {
  const size = manifest.imageEncoder.imageSize;
  const square = await resizeExact(image, size, size, 'cubic');
  const pixels = siglipPixelValues(square.rgb, size, size, { mean: manifest.imageEncoder.mean, std: manifest.imageEncoder.std, rescaleFactor: 1 / 255 });
  return output(await s.imageEncoder.run({ pixel_values: tensorF32(pixels, [1, 3, size, size]) }), 'last_hidden_state');
}

/**
 * The start latent: posterior mean (deterministic; the official sample is unseeded) × scaling,
 * encoded in spatial tiles when `spatial` is given (diffusers' tiled_encode, blending the mean).
 */
export async function encodeStartLatent(s: PipelineSessions, manifest: Manifest, image: RgbImage, spatial: SpatialTiling | null = null): Promise<F32> {
  const pixels: Tensor5d = { data: imageToVaeInput(image), dims: [1, 3, 1, image.height, image.width] };
  const encodeTile = async (tile: Tensor5d): Promise<Tensor5d> => {
    const out = output(await s.vaeEncoder.run({ pixels: tensorF32(tile.data, tile.dims) }), 'mean');
    return { data: out.data, dims: out.dims as Tensor5d['dims'] };
  };
  const mean = spatial ? await spatialTiledEncode(pixels, encodeTile, spatial) : await encodeTile(pixels);
  const k = manifest.latent.scalingFactor;
  const data = new Float32Array(mean.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mean.data[i]! * k;
  return { data, dims: mean.dims };
}

/** The residency components conditioning runs, in the order the encoders-released plan uses them. */
export type ConditioningComponent = 'text-encoder' | 'text-encoder-2' | 'image-encoder' | 'vae';

/**
 * Residency around conditioning (the encoders-released memory plan): `acquire` before a component's
 * first use, `release` after an encoder's last one; each encoder runs for every prompt it needs in
 * one go so it is loaded once per job. The VAE stays (it decodes every section) and is not released here.
 */
export interface ConditioningResidency {
  acquire(component: ConditioningComponent): Promise<void>;
  release(component: Exclude<ConditioningComponent, 'vae'>): Promise<void>;
}

export interface ConditioningOptions {
  prompt: string;
  negativePrompt: string;
  cfg: number;
  /** Called before each encoder so progress can name the stage. */
  onStage?: (stage: 'text' | 'vae' | 'image') => void;
  /** Spatial tiling for the start-frame encode (the job plan's vaeTiling.encode.spatial). */
  encodeTiling?: SpatialTiling | null;
  /** Load and release the encoders one at a time (else every session is open throughout). */
  residency?: ConditioningResidency;
  /** A start latent already known (an extension's last source latent): the start frame is not VAE-encoded. */
  startLatent?: F32;
  /** Further inputs, each encoded once in the same encoder pass (timestamped prompts; end and keyframe images, already bucketed). */
  extra?: { prompts: readonly string[]; latentImages: readonly RgbImage[]; embeddingImages: readonly RgbImage[] };
}

/** Runs `fn` over `xs` one at a time (the encoders are single sessions). */
async function each<T, R>(xs: readonly T[] | undefined, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of xs ?? []) out.push(await fn(x));
  return out;
}

export async function computeConditioning(s: PipelineSessions, manifest: Manifest, image: RgbImage, opts: ConditioningOptions): Promise<JobConditioning> {
  if (opts.residency) return computeReleasingEncoders(s, manifest, image, opts, opts.residency);
  opts.onStage?.('text');
  const positive = await encodePrompt(s, manifest, opts.prompt);
  const negative = opts.cfg === 1 ? zeroConditioning(positive) : await encodePrompt(s, manifest, opts.negativePrompt);
  const prompts = await each(opts.extra?.prompts, (p) => encodePrompt(s, manifest, p));
  opts.onStage?.('vae');
  const startLatent = opts.startLatent ?? await encodeStartLatent(s, manifest, image, opts.encodeTiling ?? null);
  const latents = await each(opts.extra?.latentImages, (im) => encodeStartLatent(s, manifest, im, opts.encodeTiling ?? null));
  opts.onStage?.('image');
  const imageEmbeddings = await encodeImage(s, manifest, image);
  const embeddings = await each(opts.extra?.embeddingImages, (im) => encodeImage(s, manifest, im));
  return { positive, negative, imageEmbeddings, startLatent, ...(opts.extra ? { extra: { prompts, latents, embeddings } } : {}) };
}

/**
 * The same results (each encoder is a pure function of its input) with at most one encoder open:
 * LLaMA for both prompts, CLIP for both, SigLIP, each released after its last call; then the VAE
 * encodes the start frame. memory-plan.ts's conditioning phase counts exactly this.
 */
async function computeReleasingEncoders(s: PipelineSessions, manifest: Manifest, image: RgbImage, opts: ConditioningOptions, r: ConditioningResidency): Promise<JobConditioning> {
  const withEncoder = async <T>(c: Exclude<ConditioningComponent, 'vae'>, fn: () => Promise<T>): Promise<T> => {
    await r.acquire(c);
    const out = await fn();
    await r.release(c);
    return out;
  };
  const negativeNeeded = opts.cfg !== 1;
  opts.onStage?.('text');
  const llama = await withEncoder('text-encoder', async () => [await encodeLlama(s, manifest, opts.prompt), negativeNeeded ? await encodeLlama(s, manifest, opts.negativePrompt) : null, await each(opts.extra?.prompts, (p) => encodeLlama(s, manifest, p))] as const);
  const pooled = await withEncoder('text-encoder-2', async () => [await encodeClip(s, manifest, opts.prompt), negativeNeeded ? await encodeClip(s, manifest, opts.negativePrompt) : null, await each(opts.extra?.prompts, (p) => encodeClip(s, manifest, p))] as const);
  const positive: PromptConditioning = { llama: llama[0], pooled: pooled[0], tokens: llama[0].dims[1]! };
  const negative = llama[1] && pooled[1] ? { llama: llama[1], pooled: pooled[1], tokens: llama[1].dims[1]! } : zeroConditioning(positive);
  opts.onStage?.('image');
  const [imageEmbeddings, embeddings] = await withEncoder('image-encoder', async () => [await encodeImage(s, manifest, image), await each(opts.extra?.embeddingImages, (im) => encodeImage(s, manifest, im))] as const);
  opts.onStage?.('vae');
  await r.acquire('vae');
  const startLatent = opts.startLatent ?? await encodeStartLatent(s, manifest, image, opts.encodeTiling ?? null);
  const latents = await each(opts.extra?.latentImages, (im) => encodeStartLatent(s, manifest, im, opts.encodeTiling ?? null));
  const prompts = llama[2].map((l, i) => ({ llama: l, pooled: pooled[2][i]!, tokens: l.dims[1]! }));
  return { positive, negative, imageEmbeddings, startLatent, ...(opts.extra ? { extra: { prompts, latents, embeddings } } : {}) };
}
