// One transformer call (pre → blocks → post) with its activations left where the provider keeps
// them. On WebGPU, outputs requested as 'gpu-buffer' stay in GPU memory and feed the next WebGPU
// session directly (all WebGPU sessions of a process share one device, GPU.md §2); only what the
// CPU reads comes back: TeaCache's signal, the velocity, and, with TeaCache on, the image-side
// hidden states before and after the blocks (the residual is kept on the CPU; Node 1.30 cannot
// download a GPU tensor). Every GPU output is disposed right after its last use. Other providers
// get no locations (ORT's default, 'cpu') and keep using run-transformer.ts's per-stage calls.
import ort from 'onnxruntime-node';
import type { TransformerGraphName } from '../../models/transformer/graphs.js';
import type { PreInputs } from '../../models/transformer/run-transformer.js';
import type { RopeTable } from '../../models/transformer/rope.js';
import type { TransformerConfig } from '../../models/transformer/config.js';
import type { StepCache } from '../step-cache.js';

export type OutputLocation = 'cpu' | 'gpu-buffer';
export type ChainLocations = Partial<Record<TransformerGraphName, Record<string, OutputLocation>>>;

/**
 * Where each per-step graph's outputs are asked to go; empty for providers without GPU-resident
 * IO from Node (CPU, and CUDA: every CUDA output is copied to the host, GPU.md §2).
 */
export function stepChainLocations(provider: string, opts: { teacache: boolean }): ChainLocations {
  if (provider !== 'webgpu') return {};
  const hidden: OutputLocation = opts.teacache ? 'cpu' : 'gpu-buffer';
  return {
    transformer_pre: { hidden_states: hidden, encoder_hidden_states: 'gpu-buffer', temb: 'gpu-buffer', teacache_signal: 'cpu' },
    transformer_blocks: { hidden_states_out: hidden },
    transformer_post: { velocity: 'cpu' },
  };
}

/** The part of an ORT session the chain uses (a fake in tests). */
export interface ChainSession { run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> }
export type ChainSessions = Record<'transformer_pre' | 'transformer_blocks' | 'transformer_post', ChainSession>;

const f32 = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, [...dims]);
const onGpu = (t: ort.Tensor | undefined) => t !== undefined && t.location === 'gpu-buffer';
function cpuData(t: ort.Tensor | undefined, name: string): Float32Array {
  if (!t) throw new Error(`transformer graph produced no '${name}'`);
  if (onGpu(t)) throw new Error(`step chain: '${name}' is on the GPU but the CPU needs it (its location must be 'cpu')`);
  if (!(t.data instanceof Float32Array)) throw new Error(`transformer output '${name}' is ${t.type}, expected float32`);
  return t.data;
}

export interface ChainStep {
  velocity: Float32Array;
  /** TeaCache skipped the blocks on this call. */
  skipped: boolean;
  /** GPU outputs disposed on this call (for the wiring test and the device bench). */
  disposed: number;
}

/**
 * One call of the per-step graphs. `teacache` (any step cache: TeaCache, MagCache, off) decides
 * whether the blocks run (off always says yes and only counts); `skipping` = a cache is on, so the
 * hidden states must be on the CPU for its residual (stepChainLocations with teacache: true).
 */
export async function runStepChain(s: ChainSessions, config: TransformerConfig, x: PreInputs, rope: RopeTable, latentShape: readonly [number, number, number], teacache: StepCache | null, skipping = teacache !== null): Promise<ChainStep> {
  if ((x.textEmbeddings.dims[1] ?? 0) < 1) throw new Error('transformer: text_embeddings needs at least one valid token');
  const feeds: Record<string, ort.Tensor> = {
    latents: f32(x.latents.data, x.latents.dims),
    timestep: new ort.Tensor('float32', Float32Array.of(x.timestep), [1]),
    text_embeddings: f32(x.textEmbeddings.data, x.textEmbeddings.dims),
    pooled_projections: f32(x.pooledProjections.data, x.pooledProjections.dims),
    image_tokens: f32(x.imageTokens.data, x.imageTokens.dims),
    context_tokens: f32(x.contextTokens.data, x.contextTokens.dims),
  };
  if (config.guidanceEmbeds) feeds.guidance = new ort.Tensor('float32', Float32Array.of(x.guidance), [1]);
  const owned: ort.Tensor[] = [];
  try {
    const pre = await s.transformer_pre.run(feeds);
    owned.push(...Object.values(pre));
    const hiddenIn = pre.hidden_states;
    if (!hiddenIn || !pre.encoder_hidden_states || !pre.temb) throw new Error('transformer_pre did not produce hidden_states, encoder_hidden_states and temb');
    const tokens = hiddenIn.dims[1]!;
    if (rope.tokens !== tokens) throw new Error(`rope table has ${rope.tokens} rows for ${tokens} image-side tokens`);
    const useCache = skipping && teacache !== null;
    const compute = teacache !== null ? teacache.shouldCompute(pre.teacache_signal !== undefined ? cpuData(pre.teacache_signal, 'teacache_signal') : null) : true;
    let hidden: ort.Tensor;
    if (compute) {
      const out = await s.transformer_blocks.run({
        hidden_states: hiddenIn, encoder_hidden_states: pre.encoder_hidden_states, temb: pre.temb,
        rope_cos: new ort.Tensor('float32', rope.cos, [rope.tokens, rope.headDim]),
        rope_sin: new ort.Tensor('float32', rope.sin, [rope.tokens, rope.headDim]),
      });
      owned.push(...Object.values(out));
      if (!out.hidden_states_out) throw new Error("transformer graph produced no 'hidden_states_out'");
      hidden = out.hidden_states_out;
      if (useCache) teacache.storeResidual(cpuData(hiddenIn, 'hidden_states'), cpuData(hidden, 'hidden_states_out'));
    } else {
      hidden = f32(teacache!.applyCachedResidual(cpuData(hiddenIn, 'hidden_states')), hiddenIn.dims);
    }
    const post = await s.transformer_post.run({
      hidden_states: hidden, temb: pre.temb,
      latent_shape: new ort.Tensor('int64', BigInt64Array.from(latentShape.map((v) => BigInt(v))), [3]),
    });
    owned.push(...Object.values(post));
    return { velocity: cpuData(post.velocity, 'velocity'), skipped: !compute, disposed: owned.filter(onGpu).length };
  } finally {
    // GPU buffers are freed here, also when a run failed half-way; CPU tensors are left to the GC.
    for (const t of owned) if (onGpu(t)) t.dispose();
  }
}
