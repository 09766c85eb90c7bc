// Every checkpoint tensor of HunyuanVideoTransformer3DModelPacked, by official name
// (lllyasviel/FramePack diffusers_helper/models/hunyuan_video_packed.py), with its PyTorch shape.
import { CLEAN_KERNELS, TIME_PROJ_DIM, transformerDims, type TransformerConfig } from './config.js';

type Shapes = [string, number[]][];

function linearShapes(out: Shapes, prefix: string, inF: number, outF: number): void {
  out.push([`${prefix}.weight`, [outF, inF]], [`${prefix}.bias`, [outF]]);
}

/** diffusers TimestepEmbedding / PixArtAlphaTextProjection: linear_1 → SiLU → linear_2. */
function mlpEmbedShapes(out: Shapes, prefix: string, inF: number, hidden: number): void {
  linearShapes(out, `${prefix}.linear_1`, inF, hidden);
  linearShapes(out, `${prefix}.linear_2`, hidden, hidden);
}

/** diffusers FeedForward: net.0.proj (in → inner, with activation) and net.2 (inner → out). */
function feedForwardShapes(out: Shapes, prefix: string, dim: number, inner: number): void {
  linearShapes(out, `${prefix}.net.0.proj`, dim, inner);
  linearShapes(out, `${prefix}.net.2`, inner, dim);
}

export function transformerParameterShapes(c: TransformerConfig): Shapes {
  const { hidden, headDim, mlp, patchOut } = transformerDims(c);
  const out: Shapes = [];

  out.push(['x_embedder.proj.weight', [hidden, c.inChannels, c.patchSizeT, c.patchSize, c.patchSize]], ['x_embedder.proj.bias', [hidden]]);

  // context_embedder: HunyuanVideoTokenRefiner over the Llama features.
  mlpEmbedShapes(out, 'context_embedder.time_text_embed.timestep_embedder', TIME_PROJ_DIM, hidden);
  mlpEmbedShapes(out, 'context_embedder.time_text_embed.text_embedder', c.textEmbedDim, hidden);
  linearShapes(out, 'context_embedder.proj_in', c.textEmbedDim, hidden);
  for (let i = 0; i < c.numRefinerLayers; i++) {
    const p = `context_embedder.token_refiner.refiner_blocks.${i}`;
    out.push([`${p}.norm1.weight`, [hidden]], [`${p}.norm1.bias`, [hidden]]);
    for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) linearShapes(out, `${p}.attn.${n}`, hidden, hidden);
    out.push([`${p}.norm2.weight`, [hidden]], [`${p}.norm2.bias`, [hidden]]);
    feedForwardShapes(out, `${p}.ff`, hidden, mlp);
    linearShapes(out, `${p}.norm_out.linear`, hidden, 2 * hidden);
  }

  mlpEmbedShapes(out, 'time_text_embed.timestep_embedder', TIME_PROJ_DIM, hidden);
  if (c.guidanceEmbeds) mlpEmbedShapes(out, 'time_text_embed.guidance_embedder', TIME_PROJ_DIM, hidden);
  mlpEmbedShapes(out, 'time_text_embed.text_embedder', c.pooledProjectionDim, hidden);

  for (const [name, k] of Object.entries(CLEAN_KERNELS)) {
    out.push([`clean_x_embedder.${name}.weight`, [hidden, c.inChannels, ...k]], [`clean_x_embedder.${name}.bias`, [hidden]]);
  }
  linearShapes(out, 'image_projection.up', c.imageProjDim, 3 * hidden);
  linearShapes(out, 'image_projection.down', 3 * hidden, hidden);

  for (let i = 0; i < c.numLayers; i++) {
    const p = `transformer_blocks.${i}`;
    linearShapes(out, `${p}.norm1.linear`, hidden, 6 * hidden);
    linearShapes(out, `${p}.norm1_context.linear`, hidden, 6 * hidden);
    for (const n of ['to_q', 'to_k', 'to_v', 'add_k_proj', 'add_v_proj', 'add_q_proj', 'to_out.0', 'to_add_out']) {
      linearShapes(out, `${p}.attn.${n}`, hidden, hidden);
    }
    for (const n of ['norm_q', 'norm_k', 'norm_added_q', 'norm_added_k']) out.push([`${p}.attn.${n}.weight`, [headDim]]);
    feedForwardShapes(out, `${p}.ff`, hidden, mlp);
    feedForwardShapes(out, `${p}.ff_context`, hidden, mlp);
  }

  for (let i = 0; i < c.numSingleLayers; i++) {
    const p = `single_transformer_blocks.${i}`;
    for (const n of ['to_q', 'to_k', 'to_v']) linearShapes(out, `${p}.attn.${n}`, hidden, hidden);
    out.push([`${p}.attn.norm_q.weight`, [headDim]], [`${p}.attn.norm_k.weight`, [headDim]]);
    linearShapes(out, `${p}.norm.linear`, hidden, 3 * hidden);
    linearShapes(out, `${p}.proj_mlp`, hidden, mlp);
    linearShapes(out, `${p}.proj_out`, hidden + mlp, hidden);
  }

  linearShapes(out, 'norm_out.linear', hidden, 2 * hidden);
  linearShapes(out, 'proj_out', hidden, patchOut);
  return out;
}
