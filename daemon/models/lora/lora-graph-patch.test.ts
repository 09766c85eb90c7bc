import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../onnx/graph.js';
import { linear } from '../../onnx/ops.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { quantizeLinears } from '../../onnx/quantize-linears.js';
import { runOnce, tensorF32 } from '../../onnx/run.js';
import { MemoryWeights } from '../../weights/weight-source.js';
import { patchGraphWithLoras } from './lora-graph-patch.js';

const IN = 6;
const OUT = 5;
const RANK = 2;
const seq = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k + 0.3));

async function model(weightDtype: 'float32' | 'float16', quantized = false): Promise<Uint8Array> {
  const w = new MemoryWeights();
  w.setFloat32('layer.weight', [OUT, IN], seq(OUT * IN, 1.7));
  w.setFloat32('layer.bias', [OUT], seq(OUT, 0.9));
  const g = new GraphBuilder('t', { weights: w, weightDtype });
  const x = g.input('x', 'float32', [1, 3, IN]);
  const xc = weightDtype === 'float16' ? g.op('Cast', [x], { to: 10 }) : x;
  const y = linear(g, xc, 'layer', IN, OUT);
  g.output(weightDtype === 'float16' ? g.op('Cast', [y], { to: 1 }) : y, 'y', 'float32', [1, 3, OUT]);
  if (quantized) expect(quantizeLinears(g, { bits: 8, blockSize: 16, source: w, select: () => true })).toHaveLength(1);
  return serializeModel(g);
}

/** y = x·Wᵀ + bias + x·Aᵀ·Bᵀ computed directly. */
function reference(x: Float32Array, a: Float32Array, b: Float32Array, withLora: boolean): Float32Array {
  const W = seq(OUT * IN, 1.7);
  const bias = seq(OUT, 0.9);
  const y = new Float32Array(3 * OUT);
  for (let t = 0; t < 3; t++) for (let o = 0; o < OUT; o++) {
    let s = bias[o]!;
    for (let i = 0; i < IN; i++) {
      let w = W[o * IN + i]!;
      if (withLora) for (let r = 0; r < RANK; r++) w += b[o * RANK + r]! * a[r * IN + i]!;
      s += x[t * IN + i]! * w;
    }
    y[t * OUT + o] = s;
  }
  return y;
}

describe('patchGraphWithLoras', () => {
  const a = seq(RANK * IN, 2.3);
  const b = seq(OUT * RANK, 0.7);
  const x = seq(3 * IN, 0.5);

  it('adds x·Aᵀ·Bᵀ to the Linear it targets (float32: exact to rounding)', async () => {
    const base = await model('float32');
    const { bytes, patched } = patchGraphWithLoras(base, new Map([['layer', { rank: RANK, a, b }]]));
    expect(patched).toEqual(['layer']);
    const before = (await runOnce(base, { x: tensorF32(x, [1, 3, IN]) })).y!.data;
    const after = (await runOnce(bytes, { x: tensorF32(x, [1, 3, IN]) })).y!.data;
    const want = reference(x, a, b, true);
    for (let i = 0; i < want.length; i++) expect(after[i]).toBeCloseTo(want[i]!, 5);
    const plain = reference(x, a, b, false);
    for (let i = 0; i < plain.length; i++) expect(before[i]).toBeCloseTo(plain[i]!, 5);
  });

  it('works in a float16 graph (the branch in float16)', async () => {
    const { bytes, patched } = patchGraphWithLoras(await model('float16'), new Map([['layer', { rank: RANK, a, b }]]));
    expect(patched).toEqual(['layer']);
    const after = (await runOnce(bytes, { x: tensorF32(x, [1, 3, IN]) })).y!.data;
    const want = reference(x, a, b, true);
    for (let i = 0; i < want.length; i++) expect(Math.abs(after[i]! - want[i]!)).toBeLessThan(2e-2);
  });

  it('adds the branch beside a MatMulNBits (int8 bundle) without touching the quantised weight', async () => {
    const base = await model('float32', true);
    const { bytes, patched } = patchGraphWithLoras(base, new Map([['layer', { rank: RANK, a, b }]]));
    expect(patched).toEqual(['layer']);
    const before = (await runOnce(base, { x: tensorF32(x, [1, 3, IN]) })).y!.data;
    const after = (await runOnce(bytes, { x: tensorF32(x, [1, 3, IN]) })).y!.data;
    // The difference is exactly the LoRA's term, whatever the int8 rounding of W.
    const lora = reference(x, a, b, true).map((v, i) => v - reference(x, a, b, false)[i]!);
    for (let i = 0; i < lora.length; i++) expect(after[i]! - before[i]!).toBeCloseTo(lora[i]!, 4);
  });

  it('leaves a graph without the targets as it was', async () => {
    const base = await model('float32');
    const r = patchGraphWithLoras(base, new Map([['other', { rank: RANK, a, b }]]));
    expect(r.patched).toEqual([]);
    expect(r.bytes).toBe(base);
  });
});
