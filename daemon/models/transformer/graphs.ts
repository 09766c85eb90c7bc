// The packed transformer as five ONNX graphs (FRAMEPACK.md §15), so per-job, per-section and
// per-step work is done once at its own rate and TeaCache can skip the blocks graph:
//   transformer_image_projection  (per job)      SigLIP features → image tokens
//   transformer_context           (per section)  clean / 2× / 4× latents → context tokens [4×, 2×, clean]
//   transformer_pre               (per step)     noisy latents, timestep, guidance, text → packed streams, temb, TeaCache signal
//   transformer_blocks            (per step)     all dual + single blocks on the image-side tokens
//   transformer_post              (per step)     norm_out, proj_out (float32), unpatchify of the noisy tokens
// Every graph input and output is float32 (int64 for shapes); the body computes in the weight dtype.
// Dynamic axes cover latent frames/height/width, token counts and the text length.
import { GraphBuilder, type Value } from '../../onnx/graph.js';
import { linear } from '../../onnx/ops.js';
import type { BuildOptions } from '../component.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { CLEAN_KERNELS, TIME_PROJ_DIM, transformerDims, type TransformerConfig } from './config.js';
import { dualBlock, dualNorm1, singleBlock, type BlockDims } from './blocks.js';
import { imageProjection, mlpEmbed, padEdgeToMultiple, patchify, timestepProjection, tokenRefiner } from './embeddings.js';
import { axisLength, modulate, modulationChunks, plainLayerNorm, splitAt, toCompute, toFloat32 } from './layers.js';

export const TRANSFORMER_GRAPHS = ['transformer_image_projection', 'transformer_context', 'transformer_pre', 'transformer_blocks', 'transformer_post'] as const;
export type TransformerGraphName = typeof TRANSFORMER_GRAPHS[number];

function blockDims(c: TransformerConfig): BlockDims {
  const { hidden, heads, headDim, mlp } = transformerDims(c);
  return { hidden, heads, headDim, mlp };
}

function finish(g: GraphBuilder): GraphBuilder {
  g.assertWeightsMatch();
  return g;
}

/** (a) image_embeddings [1, N, imageProjDim] → image_tokens [1, N, hidden]. */
export function buildImageProjectionGraph(c: TransformerConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const { hidden } = transformerDims(c);
  const g = new GraphBuilder('transformer_image_projection', { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const x = g.input('image_embeddings', 'float32', [1, 'image_tokens', c.imageProjDim]);
  g.output(toFloat32(g, imageProjection(g, toCompute(g, x), c.imageProjDim, hidden)), 'image_tokens', 'float32', [1, 'image_tokens', hidden]);
  return finish(g);
}

/**
 * (b) clean_latents [1, C, Tc, h, w], clean_latents_2x [1, C, T2, h, w], clean_latents_4x [1, C, T4, h, w]
 * → context_tokens [1, S_ctx, hidden] in packed order [4×, 2×, clean]. The 2× and 4× latents are
 * replicate-padded to their kernels first.
 */
export function buildContextGraph(c: TransformerConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const { hidden } = transformerDims(c);
  const g = new GraphBuilder('transformer_context', { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const level = (name: string, frames: string, proj: keyof typeof CLEAN_KERNELS): Value => {
    const x = g.input(name, 'float32', [1, c.inChannels, frames, 'height', 'width']);
    const k = CLEAN_KERNELS[proj];
    return g.scope(proj, () => patchify(g, padEdgeToMultiple(g, toCompute(g, x), k), `clean_x_embedder.${proj}`, c.inChannels, hidden, k));
  };
  const clean = level('clean_latents', 'clean_frames', 'proj');
  const clean2x = level('clean_latents_2x', 'clean_2x_frames', 'proj_2x');
  const clean4x = level('clean_latents_4x', 'clean_4x_frames', 'proj_4x');
  const tokens = g.op('Concat', [clean4x, clean2x, clean], { axis: 1 });
  g.output(toFloat32(g, tokens), 'context_tokens', 'float32', [1, 'context_tokens', hidden]);
  return finish(g);
}

/**
 * (c) Per-step embeddings. Inputs: latents [1, C, T, h, w] (noisy), timestep [1], guidance [1]
 * (both already bf16-rounded by the caller), text_embeddings [1, L, textEmbedDim] (the L valid Llama
 * tokens), pooled_projections [1, pooledProjectionDim], image_tokens [1, N, hidden] (graph a),
 * context_tokens [1, S_ctx, hidden] (graph b). Outputs: hidden_states [1, S_ctx + T·h/2·w/2, hidden]
 * ([4×, 2×, clean, noisy]), encoder_hidden_states [1, N + L, hidden] ([image, text]), temb [1, hidden],
 * teacache_signal [1, S_img, hidden] (block 0's norm1-modulated image-side input).
 */
export function buildPreGraph(c: TransformerConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const { hidden, heads, headDim, mlp } = transformerDims(c);
  const g = new GraphBuilder('transformer_pre', { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const latents = g.input('latents', 'float32', [1, c.inChannels, 'frames', 'height', 'width']);
  const timestep = g.input('timestep', 'float32', [1]);
  const guidance = c.guidanceEmbeds ? g.input('guidance', 'float32', [1]) : null;
  const text = g.input('text_embeddings', 'float32', [1, 'text_tokens', c.textEmbedDim]);
  const pooled = g.input('pooled_projections', 'float32', [1, c.pooledProjectionDim]);
  const imageTokens = g.input('image_tokens', 'float32', [1, 'image_tokens', hidden]);
  const contextTokens = g.input('context_tokens', 'float32', [1, 'context_tokens', hidden]);

  const noisy = g.scope('x_embedder', () =>
    patchify(g, toCompute(g, latents), 'x_embedder.proj', c.inChannels, hidden, [c.patchSizeT, c.patchSize, c.patchSize]));
  const hiddenStates = g.op('Concat', [toCompute(g, contextTokens), noisy], { axis: 1 });

  const tProj = timestepProjection(g, timestep);
  const temb = g.scope('time_text_embed', () => {
    let e = mlpEmbed(g, tProj, 'time_text_embed.timestep_embedder', TIME_PROJ_DIM, hidden);
    if (guidance) e = g.op('Add', [e, mlpEmbed(g, timestepProjection(g, guidance), 'time_text_embed.guidance_embedder', TIME_PROJ_DIM, hidden)]);
    return g.op('Add', [e, mlpEmbed(g, toCompute(g, pooled), 'time_text_embed.text_embedder', c.pooledProjectionDim, hidden)]);
  });
  const refined = tokenRefiner(g, text, tProj, { hidden, heads, headDim, mlp, textEmbedDim: c.textEmbedDim, layers: c.numRefinerLayers });
  const encoder = g.op('Concat', [toCompute(g, imageTokens), refined], { axis: 1 });

  g.output(toFloat32(g, hiddenStates), 'hidden_states', 'float32', [1, 'image_side_tokens', hidden]);
  g.output(toFloat32(g, encoder), 'encoder_hidden_states', 'float32', [1, 'text_side_tokens', hidden]);
  g.output(toFloat32(g, temb), 'temb', 'float32', [1, hidden]);
  if (c.numLayers > 0) {
    const signal = g.scope('teacache', () => dualNorm1(g, hiddenStates, temb, 'transformer_blocks.0.norm1', hidden).normed);
    g.output(toFloat32(g, signal), 'teacache_signal', 'float32', [1, 'image_side_tokens', hidden]);
  }
  return finish(g);
}

/**
 * (d) All dual- and single-stream blocks. Inputs: hidden_states [1, S_img, hidden],
 * encoder_hidden_states [1, S_txt, hidden], temb [1, hidden], rope_cos / rope_sin [S_img, headDim]
 * (float32, rope.ts). Output: hidden_states_out [1, S_img, hidden] (the text stream is dropped).
 */
export function buildBlocksGraph(c: TransformerConfig, weights: WeightSource, opts: BuildOptions): GraphBuilder {
  const d = blockDims(c);
  const g = new GraphBuilder('transformer_blocks', { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const hiddenIn = g.input('hidden_states', 'float32', [1, 'image_side_tokens', d.hidden]);
  const encoderIn = g.input('encoder_hidden_states', 'float32', [1, 'text_side_tokens', d.hidden]);
  const tembIn = g.input('temb', 'float32', [1, d.hidden]);
  const rope = {
    cos: g.input('rope_cos', 'float32', ['image_side_tokens', d.headDim]),
    sin: g.input('rope_sin', 'float32', ['image_side_tokens', d.headDim]),
  };
  let x = toCompute(g, hiddenIn);
  let ctx = toCompute(g, encoderIn);
  const temb = toCompute(g, tembIn);
  for (let i = 0; i < c.numLayers; i++) [x, ctx] = dualBlock(g, i, x, ctx, temb, rope, d);
  if (c.numSingleLayers > 0) {
    const imageLen = axisLength(g, hiddenIn, 1);
    let joint = g.op('Concat', [x, ctx], { axis: 1 });
    for (let i = 0; i < c.numSingleLayers; i++) joint = singleBlock(g, i, joint, imageLen, temb, rope, d);
    x = splitAt(g, joint, 1, imageLen)[0];
  }
  g.output(toFloat32(g, x), 'hidden_states_out', 'float32', [1, 'image_side_tokens', d.hidden]);
  return finish(g);
}

/**
 * (e) Output head. Inputs: hidden_states [1, S_img, hidden] (after the blocks), temb [1, hidden],
 * latent_shape int64 [3] = (frames, height, width) of the noisy latents. Keeps the last
 * frames/pt·height/p·width/p tokens, applies norm_out (AdaLayerNormContinuous, scale first) and proj_out,
 * and unpatchifies (c, pt, ph, pw) to velocity [1, outChannels, frames, height, width].
 * The whole head is float32 whatever the weight dtype (the official high_quality_fp32_output_for_inference).
 */
export function buildPostGraph(c: TransformerConfig, weights: WeightSource): GraphBuilder {
  const { hidden, patchOut } = transformerDims(c);
  const g = new GraphBuilder('transformer_post', { weights, weightDtype: 'float32' });
  const hs = g.input('hidden_states', 'float32', [1, 'image_side_tokens', hidden]);
  const temb = g.input('temb', 'float32', [1, hidden]);
  const shape = g.input('latent_shape', 'int64', [3]);

  const patch = [c.patchSizeT, c.patchSize, c.patchSize] as const;
  const noisy = keepNoisyTokens(g, hs, shape, patch);
  const [scale, shift] = modulationChunks(g, temb, 'norm_out.linear', hidden, 2);
  const normed = modulate(g, plainLayerNorm(g, noisy, hidden), shift!, scale!);
  const out = linear(g, normed, 'proj_out', hidden, patchOut);
  g.output(unpatchify(g, out, shape, c.outChannels, patch), 'velocity', 'float32', [1, c.outChannels, 'frames', 'height', 'width']);
  return finish(g);
}

/** The last T/pt·h/ph·w/pw tokens of [1, S, hidden] (the noisy ones); `shape` is int64 (T, h, w). */
export function keepNoisyTokens(g: GraphBuilder, hs: Value, shape: Value, patch: readonly [number, number, number]): Value {
  const grid = g.op('Div', [shape, g.ints([...patch])]);
  const count = g.op('ReduceProd', [grid, g.ints([0])], { keepdims: 1 });
  return g.op('Slice', [hs, g.op('Neg', [count]), g.ints([2 ** 62]), g.ints([1])]);
}

/**
 * Tokens [1, T'·h'·w', C·pt·ph·pw] → latents [1, C, T, h, w], i.e. einops
 * 'b (t h w) (c pt ph pw) -> b c (t pt) (h ph) (w pw)'; `shape` is int64 (T, h, w).
 */
export function unpatchify(g: GraphBuilder, tokens: Value, shape: Value, channels: number, patch: readonly [number, number, number]): Value {
  const grid = g.op('Div', [shape, g.ints([...patch])]);
  const split = g.op('Concat', [g.ints([1]), grid, g.ints([channels, ...patch])], { axis: 0 });
  const blocks = g.op('Transpose', [g.op('Reshape', [tokens, split])], { perm: [0, 4, 1, 5, 2, 6, 3, 7] });
  return g.op('Reshape', [blocks, g.op('Concat', [g.ints([1, channels]), shape], { axis: 0 })]);
}

export function buildTransformerGraphs(c: TransformerConfig, weights: WeightSource, opts: BuildOptions): Record<TransformerGraphName, GraphBuilder> {
  return {
    transformer_image_projection: buildImageProjectionGraph(c, weights, opts),
    transformer_context: buildContextGraph(c, weights, opts),
    transformer_pre: buildPreGraph(c, weights, opts),
    transformer_blocks: buildBlocksGraph(c, weights, opts),
    transformer_post: buildPostGraph(c, weights),
  };
}
