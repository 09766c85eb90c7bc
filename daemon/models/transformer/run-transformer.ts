// Runs the split transformer graphs on ORT sessions. Each stage is callable on its own so the
// pipeline can cache per-job (image projection) and per-section (context tokens, RoPE) results and
// TeaCache can skip `runBlocks`; `transformerForward` chains them for one full call.
import ort from 'onnxruntime-node';
import type { TransformerConfig } from './config.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from './graphs.js';
import { createCpuSession, type SessionOptions } from '../../onnx/run.js';
import { packedRope, type PackedIndices, type RopeTable } from './rope.js';
import type { BlocksRunner } from './streamed-blocks.js';

/**
 * The five graphs' sessions; the blocks stage is the whole transformer_blocks session or, under
 * the stream-blocks memory plan, the bundle's block groups run one after another (streamed-blocks.ts).
 */
export type TransformerSessions = Record<Exclude<TransformerGraphName, 'transformer_blocks'>, ort.InferenceSession> & { transformer_blocks: BlocksRunner };

/** A float32 tensor as plain data. */
export interface F32 { data: Float32Array; dims: number[] }

const f32 = (t: F32): ort.Tensor => new ort.Tensor('float32', t.data, t.dims);
function fromOrt(t: ort.Tensor | undefined, name: string): F32 {
  if (!t) throw new Error(`transformer graph produced no '${name}'`);
  if (!(t.data instanceof Float32Array)) throw new Error(`transformer output '${name}' is ${t.type}, expected float32`);
  return { data: t.data, dims: [...t.dims] };
}

/** (a) SigLIP last_hidden_state [1, N, imageProjDim] → image tokens [1, N, hidden]. Once per job. */
export async function runImageProjection(s: TransformerSessions, imageEmbeddings: F32): Promise<F32> {
  const out = await s.transformer_image_projection.run({ image_embeddings: f32(imageEmbeddings) });
  return fromOrt(out.image_tokens, 'image_tokens');
}

export interface ContextLatents {
  /** [1, C, Tc, h, w] */ clean: F32;
  /** [1, C, T2, h, w] */ clean2x: F32;
  /** [1, C, T4, h, w] */ clean4x: F32;
}

/** (b) clean/2×/4× latents → context tokens [1, S_ctx, hidden] ([4×, 2×, clean]). Once per section. */
export async function runContext(s: TransformerSessions, latents: ContextLatents): Promise<F32> {
  const out = await s.transformer_context.run({
    clean_latents: f32(latents.clean), clean_latents_2x: f32(latents.clean2x), clean_latents_4x: f32(latents.clean4x),
  });
  return fromOrt(out.context_tokens, 'context_tokens');
}

export interface PreInputs {
  /** Noisy latents [1, C, T, h, w]. */ latents: F32;
  /** σ·1000, already rounded as the caller wants (roundToBf16 for the official numerics). */ timestep: number;
  /** Distilled guidance ·1000, likewise rounded; ignored by configs without a guidance embedder. */ guidance: number;
  /** The L valid Llama tokens [1, L, textEmbedDim] (L ≥ 1). */ textEmbeddings: F32;
  /** CLIP-L pooled [1, pooledProjectionDim]. */ pooledProjections: F32;
  /** From runImageProjection. */ imageTokens: F32;
  /** From runContext. */ contextTokens: F32;
}

export interface PreOutputs { hidden: F32; encoder: F32; temb: F32; teacacheSignal?: F32 }

/** (c) Per-step embeddings: packed image-side stream, text-side stream, temb, TeaCache signal. */
export async function runPre(s: TransformerSessions, config: TransformerConfig, x: PreInputs): Promise<PreOutputs> {
  // An empty prompt still has its BOS-side tokens; zero valid tokens would make the refiner's mean undefined.
  if ((x.textEmbeddings.dims[1] ?? 0) < 1) throw new Error('transformer: text_embeddings needs at least one valid token');
  const feeds: Record<string, ort.Tensor> = {
    latents: f32(x.latents),
    timestep: new ort.Tensor('float32', Float32Array.of(x.timestep), [1]),
    text_embeddings: f32(x.textEmbeddings),
    pooled_projections: f32(x.pooledProjections),
    image_tokens: f32(x.imageTokens),
    context_tokens: f32(x.contextTokens),
  };
  if (config.guidanceEmbeds) feeds.guidance = new ort.Tensor('float32', Float32Array.of(x.guidance), [1]);
  const out = await s.transformer_pre.run(feeds);
  return {
    hidden: fromOrt(out.hidden_states, 'hidden_states'),
    encoder: fromOrt(out.encoder_hidden_states, 'encoder_hidden_states'),
    temb: fromOrt(out.temb, 'temb'),
    teacacheSignal: out.teacache_signal ? fromOrt(out.teacache_signal, 'teacache_signal') : undefined,
  };
}

/** (d) All blocks (the whole graph, or the streamed groups): image-side hidden states in, image-side hidden states out (same shape). */
export async function runBlocks(s: TransformerSessions, pre: PreOutputs, rope: RopeTable): Promise<F32> {
  const tokens = pre.hidden.dims[1]!;
  if (rope.tokens !== tokens) throw new Error(`rope table has ${rope.tokens} rows for ${tokens} image-side tokens`);
  const out = await s.transformer_blocks.run({
    hidden_states: f32(pre.hidden),
    encoder_hidden_states: f32(pre.encoder),
    temb: f32(pre.temb),
    rope_cos: new ort.Tensor('float32', rope.cos, [rope.tokens, rope.headDim]),
    rope_sin: new ort.Tensor('float32', rope.sin, [rope.tokens, rope.headDim]),
  });
  return fromOrt(out.hidden_states_out, 'hidden_states_out');
}

/** (e) Output head: velocity [1, outChannels, T, h, w] for the noisy latents of shape (T, h, w). */
export async function runPost(s: TransformerSessions, hidden: F32, temb: F32, latentShape: readonly [number, number, number]): Promise<F32> {
  const out = await s.transformer_post.run({
    hidden_states: f32(hidden),
    temb: f32(temb),
    latent_shape: new ort.Tensor('int64', BigInt64Array.from(latentShape.map((v) => BigInt(v))), [3]),
  });
  return fromOrt(out.velocity, 'velocity');
}

export interface ForwardInputs extends Omit<PreInputs, 'imageTokens' | 'contextTokens'> {
  /** SigLIP features [1, N, imageProjDim]. */ imageEmbeddings: F32;
  context: ContextLatents;
  indices: PackedIndices;
}

/** The RoPE table for a call whose noisy latents are [1, C, T, h, w]. */
export function ropeFor(config: TransformerConfig, indices: PackedIndices, latentHeight: number, latentWidth: number): RopeTable {
  return packedRope({ axesDim: config.ropeAxesDim, theta: config.ropeTheta }, indices, latentHeight, latentWidth);
}

/** One full transformer call (no caching): every stage in order. Returns the velocity. */
export async function transformerForward(s: TransformerSessions, config: TransformerConfig, x: ForwardInputs): Promise<F32> {
  const [, , frames, height, width] = x.latents.dims as [number, number, number, number, number];
  if (x.indices.latent.length !== frames) throw new Error(`${x.indices.latent.length} latent indices for ${frames} latent frames`);
  const imageTokens = await runImageProjection(s, x.imageEmbeddings);
  const contextTokens = await runContext(s, x.context);
  const pre = await runPre(s, config, { ...x, imageTokens, contextTokens });
  const hidden = await runBlocks(s, pre, ropeFor(config, x.indices, height, width));
  return runPost(s, hidden, pre.temb, [frames, height, width]);
}

/** CPU sessions for the five graphs, from model files or serialized bytes keyed by graph name. */
export async function createTransformerSessions(models: Record<TransformerGraphName, string | Uint8Array>, opts: SessionOptions = {}): Promise<TransformerSessions> {
  const entries = await Promise.all(TRANSFORMER_GRAPHS.map(async (name) => [name, await createCpuSession(models[name], opts)] as const));
  return Object.fromEntries(entries) as Record<TransformerGraphName, ort.InferenceSession>;
}
