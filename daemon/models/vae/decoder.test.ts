import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuSession, runOnce, tensorF32 } from '../../onnx/run.js';
import { SeededRandom } from '../../weights/seeded.js';
import { maxAbsDiff, tinyVaeModels, tinyVaeWeights } from './test-helpers.js';
import type ort from 'onnxruntime-node';

describe('vae_decoder graph (tiny)', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => { session = await createCpuSession((await tinyVaeModels(tinyVaeWeights())).decoder); });

  it('maps [1,16,T,h,w] to pixels [1,3,4T−3,8h,8w] with dynamic axes', async () => {
    const rng = new SeededRandom(8);
    for (const [t, h, w] of [[1, 2, 3], [4, 3, 2]] as const) {
      const out = await runOnce(session, { latents: tensorF32(rng.normalArray(16 * t * h * w), [1, 16, t, h, w]) });
      expect(out.pixels!.dims).toEqual([1, 3, 4 * t - 3, 8 * h, 8 * w]);
      expect(out.pixels!.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('builds a float16 graph that stays close to float32', async () => {
    const fp16 = await tinyVaeModels(tinyVaeWeights(), 'float16');
    const feeds = { latents: tensorF32(new SeededRandom(11).normalArray(16 * 2 * 2 * 3), [1, 16, 2, 2, 3]) };
    const half = await runOnce(fp16.decoder, feeds);
    const full = await runOnce(session, feeds);
    expect(maxAbsDiff(half.pixels!.data, full.pixels!.data)).toBeLessThan(2e-2);
  });
});
