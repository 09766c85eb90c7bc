// Tiled against whole on the default bundle's trained VAE, at sizes where both fit: the official
// blend is not exact (each tile has its own GroupNorm statistics and attention context, and the
// linear ramps mix two different decodes), so this measures the difference and bounds it.
// docs/graphs/vae.md quotes the printed figures.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputImage } from '../../media/image-input.js';
import { imageToVaeInput } from '../../media/pixels.js';
import { createCpuSession, runOnce, tensorF32 } from '../../onnx/run.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { spatialTiledEncode, tiledVaeDecode, OFFICIAL_SPATIAL_TILING } from './spatial-tiling.js';
import type { Tensor5d } from './temporal-tiling.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const graph = async (part: 'encoder' | 'decoder') => createCpuSession(new Uint8Array(await readFile(path.join(REPO_MODELS_DIR, 'framepack-tiny', 'vae', `vae_${part}.onnx`))));

/** Max abs difference and PSNR in dB for a signal range of `range` (2 for pixels in [−1, 1]). */
function compare(a: Float32Array, b: Float32Array, range: number) {
  let maxAbs = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    sq += d * d;
  }
  return { maxAbs, psnrDb: 10 * Math.log10((range * range) / (sq / a.length)) };
}

describe('spatial tiling vs whole on the trained tiny VAE (docs/examples/start.png, 480×320)', () => {
  it('encode and decode differ from the whole pass by a small, measured amount', async () => {
    const image = await loadInputImage(path.join(repo, 'docs/examples/start.png'));
    expect([image.width, image.height]).toEqual([480, 320]);
    const pixels: Tensor5d = { data: imageToVaeInput(image), dims: [1, 3, 1, 320, 480] };
    const encoder = await graph('encoder');
    const encode = async (x: Tensor5d): Promise<Tensor5d> => {
      const mean = (await runOnce(encoder, { pixels: tensorF32(x.data, x.dims) })).mean!;
      return { data: mean.data, dims: mean.dims as Tensor5d['dims'] };
    };
    const wholeLatent = await encode(pixels);
    const tiledLatent = await spatialTiledEncode(pixels, encode, OFFICIAL_SPATIAL_TILING); // 2×3 tiles of 256 every 192
    expect(tiledLatent.dims).toEqual(wholeLatent.dims);
    let latentRange = 0;
    for (const v of wholeLatent.data) latentRange = Math.max(latentRange, Math.abs(v));
    const enc = compare(tiledLatent.data, wholeLatent.data, 2 * latentRange);

    const decoder = await graph('decoder');
    const decode = async (z: Tensor5d): Promise<Tensor5d> => {
      const out = (await runOnce(decoder, { latents: tensorF32(z.data, z.dims) })).pixels!;
      return { data: out.data, dims: out.dims as Tensor5d['dims'] };
    };
    const whole = await tiledVaeDecode(wholeLatent, decode, null);
    const tiled = await tiledVaeDecode(wholeLatent, decode, OFFICIAL_SPATIAL_TILING); // 40×60 latents: 2×3 tiles of 32 every 24
    expect(tiled.dims).toEqual([1, 3, 1, 320, 480]);
    const dec = compare(tiled.data, whole.data, 2);
    console.info(`tiled vs whole: encode max abs ${enc.maxAbs.toFixed(4)} (latent range ±${latentRange.toFixed(2)}), PSNR ${enc.psnrDb.toFixed(1)} dB; decode max abs ${dec.maxAbs.toFixed(4)}, PSNR ${dec.psnrDb.toFixed(1)} dB`);
    // Not exact (the tiling did something) but close.
    expect(enc.maxAbs).toBeGreaterThan(1e-4);
    expect(dec.maxAbs).toBeGreaterThan(1e-4);
    expect(enc.psnrDb).toBeGreaterThan(30);
    expect(dec.psnrDb).toBeGreaterThan(30);
  });
});
