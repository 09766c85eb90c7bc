import { describe, expect, it } from 'vitest';
import { temporalTiledDecode, temporalTilePlan, type Tensor5d } from './temporal-tiling.js';

/**
 * A fake decoder: tile of n latents → 4n − 3 frames of 1×1 pixels, channel 0 holding
 * 1000·(first latent index of the tile) + frame index, so every output value names its source.
 */
async function fakeDecode(tile: Tensor5d): Promise<Tensor5d> {
  const n = tile.dims[2];
  const frames = 4 * n - 3;
  const first = tile.data[0]!; // latent value = latent frame index
  return { data: Float32Array.from({ length: frames }, (_, f) => 1000 * first + f), dims: [1, 1, frames, 1, 1] };
}
const latents = (t: number): Tensor5d => ({ data: Float32Array.from({ length: t }, (_, i) => i), dims: [1, 1, t, 1, 1] });

describe('temporal tiled decode', () => {
  it('keeps 13 then 12 frames per tile and returns 4T − 3 frames', async () => {
    const kept = (t: number) => temporalTilePlan(t).tiles.map((x) => x.keptFrames);
    expect(kept(1)).toEqual([1]);
    expect(kept(4)).toEqual([13]);
    expect(temporalTilePlan(4).tiled).toBe(false);
    expect(kept(5)).toEqual([13, 4]);
    expect(kept(10)).toEqual([13, 12, 12, 0]); // T ≡ 1 (mod 3): the last 1-latent tile adds nothing
    expect(kept(18)).toEqual([13, 12, 12, 12, 12, 8]);
    expect(kept(19)).toEqual([13, 12, 12, 12, 12, 12, 0]);
    expect(temporalTilePlan(18).tiles.map((x) => [x.start, x.end])).toEqual([[0, 5], [3, 8], [6, 11], [9, 14], [12, 17], [15, 18]]);
    for (const t of [1, 4, 5, 10, 18, 19]) {
      const out = await temporalTiledDecode(latents(t), fakeDecode);
      expect(out.dims).toEqual([1, 1, 4 * t - 3, 1, 1]);
      expect(temporalTilePlan(t).outputFrames).toBe(4 * t - 3);
    }
  });

  it('decodes short clips in one pass', async () => {
    const out = await temporalTiledDecode(latents(3), fakeDecode);
    expect(Array.from(out.data)).toEqual(Array.from({ length: 9 }, (_, f) => f));
  });

  it('blends the previous tile tail into the next tile head with weights 1, 3/4, 1/2, 1/4', async () => {
    const out = Array.from((await temporalTiledDecode(latents(10), fakeDecode)).data);
    // Tile 0 (latents 0–4, frames 0..16) keeps frames 0..12 untouched.
    expect(out.slice(0, 13)).toEqual(Array.from({ length: 13 }, (_, f) => f));
    // Tile 1 (latents 3–7) after dropping its first frame holds 3001..3016; its first 4 frames blend
    // with tile 0's last 4 (frames 13..16): b[x] = a[12 + x + 1]·(1 − x/4) + b[x]·x/4.
    const tile1 = (x: number) => 3000 + 1 + x;
    const blended = [0, 1, 2, 3].map((x) => (13 + x) * (1 - x / 4) + tile1(x) * (x / 4));
    out.slice(13, 17).forEach((v, x) => expect(v).toBeCloseTo(blended[x]!, 3));
    expect(out.slice(17, 25)).toEqual([4, 5, 6, 7, 8, 9, 10, 11].map(tile1));
    // Tile 2 (latents 6–9: 13 frames, 12 after the drop) blends with tile 1's frames 12..15.
    const tile2 = (x: number) => 6000 + 1 + x;
    [0, 1, 2, 3].forEach((x) => expect(out[25 + x]).toBeCloseTo(tile1(12 + x) * (1 - x / 4) + tile2(x) * (x / 4), 3));
    expect(out.slice(29, 37)).toEqual([4, 5, 6, 7, 8, 9, 10, 11].map(tile2));
    expect(out.length).toBe(37);
  });

  it('rejects a decoder that returns the wrong frame count', async () => {
    const bad = async (t: Tensor5d): Promise<Tensor5d> => ({ data: new Float32Array(t.dims[2]), dims: [1, 1, t.dims[2], 1, 1] });
    await expect(temporalTiledDecode(latents(6), bad)).rejects.toThrow(/expected 17/);
  });
});

describe('temporal tiled decode: decoder calls', () => {
  it('skips the empty single-latent tail tile and decodes the rest', async () => {
    const sizes: number[] = [];
    const out = await temporalTiledDecode(latents(10), async (t) => { sizes.push(t.dims[2]); return fakeDecode(t); });
    expect(sizes).toEqual([5, 5, 4]);
    expect(out.dims[2]).toBe(37);
  });
});
