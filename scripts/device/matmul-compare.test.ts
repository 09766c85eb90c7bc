import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { createCpuSession } from '../../daemon/onnx/run.js';
import { floatToHalfBits, halfBitsToFloat } from '../../daemon/weights/float-convert.js';
import { checkNbitsShape, compareMatmul, matmulModels, NBITS_BLOCK } from './matmul-compare.js';

describe('fp16 MatMul vs 4-bit MatMulNBits', () => {
  it('the 4-bit graph computes x · dequant(W) with the documented packing (low nibble first, zero point 8)', async () => {
    const s = { m: 4, k: 64, n: 8 };
    const { nbits } = await matmulModels(s);
    const session = await createCpuSession(nbits, { threads: 1 });
    const xs = Array.from({ length: s.m * s.k }, (_, i) => ((i % 7) - 3) / 4);
    const x = new ort.Tensor('float16', Uint16Array.from(xs, floatToHalfBits), [s.m, s.k]);
    const y = (await session.run({ x })).y!.data as Uint16Array;
    const blocks = s.k / NBITS_BLOCK;
    const scale = halfBitsToFloat(floatToHalfBits(1 / (8 * Math.sqrt(s.k))));
    const byteAt = (i: number) => ((i * 7) & 0x0f) | (((i * 11) & 0x0f) << 4);
    const w = (k: number, n: number) => {
      const byte = byteAt(n * blocks * (NBITS_BLOCK / 2) + Math.floor(k / NBITS_BLOCK) * (NBITS_BLOCK / 2) + ((k % NBITS_BLOCK) >> 1));
      return (((k % 2) === 0 ? byte & 0x0f : byte >> 4) - 8) * scale;
    };
    let maxErr = 0;
    for (let m = 0; m < s.m; m++) for (let n = 0; n < s.n; n++) {
      let ref = 0;
      for (let k = 0; k < s.k; k++) ref += xs[m * s.k + k]! * w(k, n);
      maxErr = Math.max(maxErr, Math.abs(halfBitsToFloat(y[m * s.n + n]!) - ref));
    }
    expect(maxErr).toBeLessThan(2e-3);
    await session.release();
  });

  it('times both on one provider and says which is faster', async () => {
    const r = await compareMatmul({ m: 32, k: 64, n: 64 }, { provider: 'cpu', runs: 2 });
    expect(r.fp16.medianMs).toBeGreaterThan(0);
    expect(r.nbits4.medianMs).toBeGreaterThan(0);
    expect(r.speedup).toBeCloseTo(r.fp16.medianMs / r.nbits4.medianMs, 2);
    expect(() => checkNbitsShape({ m: 1, k: 48, n: 64 })).toThrow('MatMulNBits needs K divisible by 32 (got K=48)');
  });
});
