// fp16 MatMul vs 4-bit MatMulNBits (com.microsoft, block 32) at one linear layer's shape, same
// provider, same activations: on WebGPU/NVIDIA MatMulNBits may be the only path that reaches
// tensor cores (GPU.md §1, §3: its subgroup-matrix kernel needs 4/8-bit, block 32, M ≥ 4,
// K % 32 = 0, N % 64 = 0). Weights are cheap deterministic values; only the time matters. Both
// graphs compute y[M, N] = x[M, K] · W[K, N]; the 4-bit one stores W as N rows of K/32 blocks of
// 16 bytes (two 4-bit values per byte, low nibble first) with one fp16 scale per block and the
// default zero point 8.
import ort from 'onnxruntime-node';
import { GraphBuilder } from '../../daemon/onnx/graph.js';
import { serializeModel } from '../../daemon/onnx/model-writer.js';
import { createCpuSession } from '../../daemon/onnx/run.js';
import { floatToHalfBits } from '../../daemon/weights/float-convert.js';

export const NBITS_BLOCK = 32;

export interface MatmulShape { m: number; k: number; n: number }

export function checkNbitsShape(s: MatmulShape): void {
  if (s.k % NBITS_BLOCK !== 0) throw new Error(`MatMulNBits needs K divisible by ${NBITS_BLOCK} (got K=${s.k})`);
}

const half = (n: number, at: (i: number) => number): Uint8Array => {
  const u16 = new Uint16Array(n);
  for (let i = 0; i < n; i++) u16[i] = floatToHalfBits(at(i));
  return new Uint8Array(u16.buffer);
};
/** Small deterministic values in [−0.5, 0.5) so fp16 sums over K stay finite. */
const pattern = (i: number) => (((i * 37) % 101) / 101 - 0.5);

export async function matmulModels(s: MatmulShape): Promise<{ fp16: Uint8Array; nbits: Uint8Array }> {
  checkNbitsShape(s);
  const dense = new GraphBuilder('matmul_fp16');
  const x1 = dense.input('x', 'float16', [s.m, s.k]);
  const w = dense.initializer('w', { dtype: 'float16', dims: [s.k, s.n], bytes: half(s.k * s.n, (i) => pattern(i) / Math.sqrt(s.k)) });
  dense.output(dense.op('MatMul', [x1, w]), 'y', 'float16', [s.m, s.n]);

  const blocks = s.k / NBITS_BLOCK;
  const q = new GraphBuilder('matmul_nbits4');
  const x2 = q.input('x', 'float16', [s.m, s.k]);
  const packed = new Uint8Array(s.n * blocks * (NBITS_BLOCK / 2));
  for (let i = 0; i < packed.length; i++) packed[i] = ((i * 7) & 0x0f) | (((i * 11) & 0x0f) << 4);
  const b = q.initializer('b', { dtype: 'uint8', dims: [s.n, blocks, NBITS_BLOCK / 2], bytes: packed });
  const scales = q.initializer('scales', { dtype: 'float16', dims: [s.n * blocks], bytes: half(s.n * blocks, () => 1 / (8 * Math.sqrt(s.k))) });
  q.output(q.op('MatMulNBits', [x2, b, scales], { K: s.k, N: s.n, bits: 4, block_size: NBITS_BLOCK }, { domain: 'com.microsoft' }), 'y', 'float16', [s.m, s.n]);
  return { fp16: await serializeModel(dense), nbits: await serializeModel(q) };
}

export interface MatmulResult {
  shape: MatmulShape;
  provider: string;
  fp16: { loadMs: number; medianMs: number; tflops: number };
  nbits4: { loadMs: number; medianMs: number; tflops: number };
  /** fp16 time / 4-bit time: > 1 means MatMulNBits is faster. */
  speedup: number;
  runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeModel(bytes: Uint8Array, provider: string, x: ort.Tensor, runs: number): Promise<{ loadMs: number; medianMs: number }> {
  const t0 = performance.now();
  const session = await createCpuSession(bytes, { executionProviders: [provider] });
  const loadMs = performance.now() - t0;
  try {
    await session.run({ x }); // warm-up (shader compilation on GPUs)
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await session.run({ x });
      times.push(performance.now() - t);
    }
    return { loadMs: Math.round(loadMs * 100) / 100, medianMs: Math.round(median(times) * 1000) / 1000 };
  } finally {
    await session.release();
  }
}

export async function compareMatmul(s: MatmulShape, opts: { provider: string; runs: number }): Promise<MatmulResult> {
  const models = await matmulModels(s);
  const x = new ort.Tensor('float16', new Uint16Array(half(s.m * s.k, (i) => pattern(i * 3)).buffer), [s.m, s.k]);
  const a = await timeModel(models.fp16, opts.provider, x, opts.runs);
  const b = await timeModel(models.nbits, opts.provider, x, opts.runs);
  const flop = 2 * s.m * s.k * s.n;
  const tflops = (ms: number) => Math.round((flop / (ms / 1000) / 1e12) * 1000) / 1000;
  return {
    shape: s, provider: opts.provider, runs: opts.runs,
    fp16: { ...a, tflops: tflops(a.medianMs) }, nbits4: { ...b, tflops: tflops(b.medianMs) },
    speedup: Math.round((a.medianMs / b.medianMs) * 1000) / 1000,
  };
}
