// Transformer block streaming, first part (issue 14 item 3): the blocks graph split into K graphs
// of consecutive blocks, so a device smaller than the transformer holds one group's weights at a
// time (docs/memory.md). Blocks are numbered dual-stream 0…numLayers−1, then single-stream
// numLayers…numLayers+numSingleLayers−1. Every group takes and returns both streams — image
// tokens and text tokens — because the single-stream blocks keep updating the text part of the
// joint sequence and later blocks attend to it; a group with single blocks concatenates them,
// runs, and splits them back, which moves values without arithmetic. Chained, the groups compute
// exactly what buildBlocksGraph computes. A bundle built with `--block-groups K` holds them as
// transformer_blocks_g0 … g{K−1} beside the whole graph; streamed-blocks.ts runs them in turn.
import { GraphBuilder, type Value } from '../../onnx/graph.js';
import type { BuildOptions } from '../component.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { transformerDims, type TransformerConfig } from './config.js';
import { dualBlock, singleBlock } from './blocks.js';
import { axisLength, splitAt, toCompute, toFloat32 } from './layers.js';

/** Blocks [from, to) in the flat numbering (dual first). */
export interface BlockRange { from: number; to: number }

export const blockCount = (c: TransformerConfig) => c.numLayers + c.numSingleLayers;

/** K consecutive groups as even as possible (the first count % K hold one block more). */
export function blockGroups(c: TransformerConfig, groups: number): BlockRange[] {
  const n = blockCount(c);
  if (!(Number.isInteger(groups) && groups >= 1 && groups <= n)) throw new RangeError(`block groups must be an integer from 1 to ${n} (the transformer's blocks), got ${groups}`);
  const base = Math.floor(n / groups);
  const extra = n % groups;
  const out: BlockRange[] = [];
  let from = 0;
  for (let k = 0; k < groups; k++) {
    const to = from + base + (k < extra ? 1 : 0);
    out.push({ from, to });
    from = to;
  }
  return out;
}

/**
 * One group. Inputs: hidden_states [1, S_img, hidden], encoder_hidden_states [1, S_txt, hidden],
 * temb [1, hidden], rope_cos / rope_sin [S_img, headDim] (float32). Outputs: hidden_states_out and
 * encoder_hidden_states_out, float32 (an fp16 round trip through float32 is exact).
 */
export function buildBlockGroupGraph(c: TransformerConfig, weights: WeightSource, opts: BuildOptions, range: BlockRange): GraphBuilder {
  const n = blockCount(c);
  if (!(Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 0 && range.from < range.to && range.to <= n)) {
    throw new RangeError(`block range ${range.from}–${range.to} is not within 0–${n}`);
  }
  const { hidden, heads, headDim, mlp } = transformerDims(c);
  const d = { hidden, heads, headDim, mlp };
  const g = new GraphBuilder(`transformer_blocks_${range.from}_${range.to}`, { weights, weightDtype: opts.weightDtype, attention: opts.attention });
  const hiddenIn = g.input('hidden_states', 'float32', [1, 'image_side_tokens', hidden]);
  const encoderIn = g.input('encoder_hidden_states', 'float32', [1, 'text_side_tokens', hidden]);
  const tembIn = g.input('temb', 'float32', [1, hidden]);
  const rope = { cos: g.input('rope_cos', 'float32', ['image_side_tokens', headDim]), sin: g.input('rope_sin', 'float32', ['image_side_tokens', headDim]) };
  let x: Value = toCompute(g, hiddenIn);
  let ctx: Value = toCompute(g, encoderIn);
  const temb = toCompute(g, tembIn);
  for (let i = range.from; i < Math.min(range.to, c.numLayers); i++) [x, ctx] = dualBlock(g, i, x, ctx, temb, rope, d);
  const firstSingle = Math.max(range.from, c.numLayers);
  if (firstSingle < range.to) {
    const imageLen = axisLength(g, hiddenIn, 1);
    let joint = g.op('Concat', [x, ctx], { axis: 1 });
    for (let i = firstSingle; i < range.to; i++) joint = singleBlock(g, i - c.numLayers, joint, imageLen, temb, rope, d);
    [x, ctx] = splitAt(g, joint, 1, imageLen);
  }
  g.output(toFloat32(g, x), 'hidden_states_out', 'float32', [1, 'image_side_tokens', hidden]);
  g.output(toFloat32(g, ctx), 'encoder_hidden_states_out', 'float32', [1, 'text_side_tokens', hidden]);
  g.assertWeightsMatch();
  return g;
}

/** The bundle's graph stem of group `index` (manifest `graphs`, transformer/<stem>.onnx). */
export const blockGroupStem = (index: number): string => `transformer_blocks_g${index}`;

/** Every group's graph for K groups, keyed by its bundle stem. */
export function blockGroupGraphsByStem(c: TransformerConfig, weights: WeightSource, opts: BuildOptions, groups: number): Record<string, GraphBuilder> {
  return Object.fromEntries(buildBlockGroupGraphs(c, weights, opts, groups).map((g, i) => [blockGroupStem(i), g]));
}

/** Every group's graph for K groups. */
export function buildBlockGroupGraphs(c: TransformerConfig, weights: WeightSource, opts: BuildOptions, groups: number): GraphBuilder[] {
  return blockGroups(c, groups).map((r) => buildBlockGroupGraph(c, weights, opts, r));
}
