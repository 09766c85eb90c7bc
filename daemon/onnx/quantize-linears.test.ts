import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph.js';
import { linear } from './ops.js';
import { serializeModel } from './model-writer.js';
import { decodeModel } from './onnx-proto.js';
import { runOnce, tensorF32 } from './run.js';
import { quantizeLinears } from './quantize-linears.js';
import { MemoryWeights } from '../weights/weight-source.js';
import { dequantizeNBits, quantizeNBits, type NBitsOptions } from '../weights/matmul-nbits.js';
import { fromFloat32, toFloat32 } from '../weights/float-convert.js';

/** Deterministic pseudo-random values in [-1, 1) (a fixed LCG: tests must not depend on Math.random). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 31 - 1; }
  return out;
}

/** y = x · Wᵀ + b as one Linear graph, optionally quantised. */
async function linearModel(w: Float32Array, b: Float32Array, n: number, k: number, q?: NBitsOptions) {
  const weights = new MemoryWeights();
  weights.setFloat32('fc.weight', [n, k], w);
  weights.setFloat32('fc.bias', [n], b);
  const g = new GraphBuilder('fc', { weights });
  g.output(linear(g, g.input('x', 'float32', ['m', k]), 'fc', k, n), 'y', 'float32', ['m', n]);
  const done = q ? quantizeLinears(g, { ...q, source: weights, select: () => true }) : [];
  return { bytes: await serializeModel(g), done };
}

/** x · W'ᵀ + b in float64, W' [n, k]. */
function reference(x: Float32Array, w: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) {
    let acc = b[c]!;
    for (let i = 0; i < k; i++) acc += x[r * k + i]! * w[c * k + i]!;
    y[r * n + c] = acc;
  }
  return y;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!)); return d; };

describe('quantizeLinears: MatMulNBits through onnxruntime (CPU)', () => {
  // K = 80 is not a multiple of 32 (padding), N = 24; K = 64 exact blocks.
  for (const [bits, blockSize, k, symmetric] of [[4, 32, 80, false], [8, 32, 80, false], [4, 16, 64, true], [8, 64, 64, true], [4, 128, 80, false]] as const) {
    it(`${bits}-bit, block ${blockSize}, K=${k}${symmetric ? ', symmetric' : ''}: ORT equals the dequantised MatMul; error within the quantisation bound`, async () => {
      const n = 24, m = 5;
      const w = values(n * k, 7 + bits + k), b = values(n, 3), x = values(m * k, 11);
      const opts: NBitsOptions = { bits, blockSize, symmetric };
      const { bytes, done } = await linearModel(w, b, n, k, opts);
      expect(done).toEqual([{ weight: 'fc.weight', n, k }]);
      const node = (decodeModel(bytes) as any).graph.node.find((nd: any) => nd.opType === 'MatMulNBits');
      expect(node.domain).toBe('com.microsoft');
      const y = (await runOnce(bytes, { x: tensorF32(x, [m, k]) })).y!;
      expect(y.dims).toEqual([m, n]);
      // ≈ exact against the weights ORT should have dequantised (fp32 accumulation order only).
      const deq = dequantizeNBits(quantizeNBits(w, n, k, opts), n, k, opts);
      expect(maxAbsDiff(y.data, reference(x, deq, b, m, n, k))).toBeLessThan(1e-4);
      // Against the float weights: each weight is off by at most half a step (scale/2), so each
      // output by at most Σ|x|·scale/2; the widest block range here is 2 (values in [-1, 1)).
      const step = 2 / ((1 << bits) - 1);
      const bound = Math.max(...Array.from({ length: m }, (_, r) => x.subarray(r * k, r * k + k).reduce((a, v) => a + Math.abs(v), 0))) * step / 2 * (symmetric ? 2.01 : 1.01);
      const err = maxAbsDiff(y.data, reference(x, w, b, m, n, k));
      expect(err).toBeLessThan(bound);
      expect(err).toBeGreaterThan(0); // it did quantise
    });
  }

  it('fp16 compute (the GPU bundles\' form): fp16 A and scales through ORT\'s CPU kernel match the dequantised MatMul', async () => {
    const n = 64, k = 96, m = 3;
    const w = values(n * k, 5), b = values(n, 6), x = values(m * k, 8);
    const weights = new MemoryWeights();
    weights.setFloat32('fc.weight', [n, k], w);
    weights.setFloat32('fc.bias', [n], b);
    const g = new GraphBuilder('fc16', { weights, weightDtype: 'float16' });
    const x16 = g.op('Cast', [g.input('x', 'float32', [m, k])], { to: 10 });
    g.output(g.op('Cast', [linear(g, x16, 'fc', k, n)], { to: 1 }), 'y', 'float32', [m, n]);
    const opts: NBitsOptions = { bits: 4, blockSize: 32 };
    quantizeLinears(g, { ...opts, source: weights, select: () => true });
    const y = (await runOnce(await serializeModel(g), { x: tensorF32(x, [m, k]) })).y!;
    const t = quantizeNBits(w, n, k, opts);
    const scales16 = toFloat32(fromFloat32(t.scales, 'float16'), 'float16');
    const x16r = toFloat32(fromFloat32(x, 'float16'), 'float16');
    const b16 = toFloat32(fromFloat32(b, 'float16'), 'float16');
    const ref = reference(x16r, dequantizeNBits(t, n, k, opts, scales16), b16, m, n, k);
    // fp16 output rounding (|y| < 8 here: ≤ 2^-8 per value) plus fp16 accumulation inside the kernel.
    expect(maxAbsDiff(y.data, ref)).toBeLessThan(0.02);
  });

  it('leaves unselected Linears as float MatMul and refuses a bad block size', async () => {
    const weights = new MemoryWeights();
    weights.setFloat32('a.weight', [4, 8], values(32, 1));
    weights.setFloat32('b.weight', [4, 4], values(16, 2));
    const g = new GraphBuilder('two', { weights });
    const h = linear(g, g.input('x', 'float32', [1, 8]), 'a', 8, 4, false);
    g.output(linear(g, h, 'b', 4, 4, false), 'y', 'float32', [1, 4]);
    expect(() => quantizeLinears(g, { bits: 4, blockSize: 24, source: weights, select: () => true })).toThrow(/power of two ≥ 16/);
    const done = quantizeLinears(g, { bits: 8, blockSize: 16, source: weights, select: (name) => name === 'a.weight' });
    expect(done.map((d) => d.weight)).toEqual(['a.weight']);
    expect(g.nodes.map((nd) => nd.opType)).toEqual(['MatMulNBits', 'MatMul', 'Identity']);
    expect(g.initializers.has('a.weight')).toBe(false);
    expect(g.initializers.has('b.weight')).toBe(true);
  });
});
