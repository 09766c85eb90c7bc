// Weight-only quantisation of a built graph: every Linear layer (made by ops.linear) that the
// caller selects has its MatMul replaced by com.microsoft MatMulNBits, and its float weight
// initializer by the packed codes, scales and zero points (weights/matmul-nbits.ts). A pass over
// the finished graph rather than a flag inside linear(), so the architecture definitions stay as
// they are and the same graphs give the fp32, fp16, int8 and int4 bundles. The new initializers
// are lazy: each is quantised from the checkpoint when the model writer asks for it, one tensor at
// a time (the writer reads B, scales and zero points of one weight in a row; the last result is
// kept for the three reads).
import { fromFloat32, toFloat32 } from '../weights/float-convert.js';
import { nbitsShapes, quantizeNBits, validateNBitsOptions, type NBitsOptions, type NBitsTensor } from '../weights/matmul-nbits.js';
import type { WeightSource } from '../weights/weight-source.js';
import { bytesPerElement } from './onnx-proto.js';
import type { GraphBuilder, LazyTensor } from './graph.js';
import { linearLayers } from './ops.js';

export interface QuantizeLinearsOptions extends NBitsOptions {
  /** Where the float weights are read from (the graph's own WeightSource). */
  source: WeightSource;
  /** Which Linear weights (checkpoint names, [outF, inF]) to quantise. */
  select: (weightName: string, outF: number, inF: number) => boolean;
  /** MatMulNBits accuracy_level (0 = unset: A is not downcast). */
  accuracyLevel?: number;
}

export interface QuantizedLinear { weight: string; n: number; k: number }

export const MATMUL_NBITS_DOMAIN = 'com.microsoft';

/** Rewrites the selected Linear MatMuls of `g` in place; returns what it quantised. */
export function quantizeLinears(g: GraphBuilder, opts: QuantizeLinearsOptions): QuantizedLinear[] {
  validateNBitsOptions(opts);
  const layers = linearLayers.get(g);
  if (!layers) return [];
  // A weight consumed by anything else than its one MatMul keeps its float form.
  const uses = new Map<string, number>();
  for (const node of g.nodes) for (const i of node.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const scaleDtype = g.weightDtype;
  const done: QuantizedLinear[] = [];
  let cached: { name: string; t: NBitsTensor } | undefined;
  for (const node of g.nodes) {
    if (node.opType !== 'MatMul' || node.domain !== '') continue;
    const wName = node.inputs[1]!;
    const layer = layers.get(wName);
    if (!layer || uses.get(wName) !== 1 || !g.initializers.has(wName)) continue;
    const { inF: k, outF: n } = layer;
    if (!opts.select(wName, n, k)) continue;
    const shapes = nbitsShapes(n, k, opts);
    const quantized = async (): Promise<NBitsTensor> => {
      if (cached?.name !== wName) {
        const raw = await opts.source.read(wName);
        cached = { name: wName, t: quantizeNBits(toFloat32(raw.bytes, raw.dtype), n, k, opts) };
      }
      return cached.t;
    };
    const lazy = (dtype: LazyTensor['dtype'], dims: number[], pick: (t: NBitsTensor) => Uint8Array): LazyTensor => ({
      dtype, dims, byteLength: dims.reduce((a, d) => a * d, 1) * bytesPerElement[dtype],
      read: async () => pick(await quantized()),
    });
    g.initializers.delete(wName);
    const bName = g.initializer(`${wName}.MatMulNBits.B`, lazy('uint8', shapes.packedDims, (t) => t.packed));
    const sName = g.initializer(`${wName}.MatMulNBits.scales`, lazy(scaleDtype, shapes.scalesDims, (t) => fromFloat32(t.scales, scaleDtype)));
    const inputs = [node.inputs[0]!, bName.name, sName.name];
    if (shapes.zeroPointDims) {
      inputs.push(g.initializer(`${wName}.MatMulNBits.zero_points`, lazy('uint8', shapes.zeroPointDims, (t) => t.zeroPoints!)).name);
    }
    node.opType = 'MatMulNBits';
    node.domain = MATMUL_NBITS_DOMAIN;
    node.inputs = inputs;
    node.attrs = { K: k, N: n, bits: opts.bits, block_size: opts.blockSize, ...(opts.accuracyLevel ? { accuracy_level: opts.accuracyLevel } : {}) };
    done.push({ weight: wName, n, k });
  }
  if (done.length && g.opsets[MATMUL_NBITS_DOMAIN] === undefined) g.opsets[MATMUL_NBITS_DOMAIN] = 1;
  return done;
}
