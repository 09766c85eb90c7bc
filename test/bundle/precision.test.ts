// The fp16 graphs run on the CPU in CI: the default bundle's trained weights built in float16 with
// fused attention (the GPU default: buildBundle's defaultAttentionFor) make the same short job as
// the committed float32 bundle, frame for frame within a PSNR bound. On the full README job the
// two measure 41.5 dB (worst frame) / 42.9 dB (mean) apart (`npm run bench -- precision`,
// docs/benchmarks.md); this short job (the doctor reference job's length) measures 43.5 / 44.1 dB.
import { describe, expect, it } from 'vitest';
import { benchPrecision } from '../../scripts/bench/precision-bench.js';

/** Worst-frame PSNR fp16 must keep against fp32 (8-bit RGB), dB. */
export const FP16_MIN_PSNR_DB = 35;

describe('float16 bundle vs float32 (default bundle weights, CPU)', () => {
  it(`stays within ${FP16_MIN_PSNR_DB} dB PSNR on every frame of a 1 s, 4-step README job`, async () => {
    const row = await benchPrecision({ attention: 'fused', over: { seconds: 1, steps: 4 } });
    console.info(`fp16 vs fp32, ${row.job}: ${row.frames} frames, PSNR min ${row.minPsnrDb.toFixed(2)} dB, mean ${row.meanPsnrDb.toFixed(2)} dB`);
    expect(row.frames).toBeGreaterThan(20);
    // Identical output would mean the fp16 build silently fell back to fp32 graphs.
    expect(row.minPsnrDb).toBeLessThan(Infinity);
    expect(row.minPsnrDb).toBeGreaterThanOrEqual(FP16_MIN_PSNR_DB);
  }, 120_000);
});
