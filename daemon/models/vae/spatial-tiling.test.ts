import { describe, expect, it } from 'vitest';
import {
  OFFICIAL_SPATIAL_TILING, blendCols, blendRows, decodeNeedsTiling, decodeTilePlan, encodeNeedsTiling, encodeTilePlan,
  spatialTiledDecode, spatialTiledEncode, tiledVaeDecode, type SpatialTiling,
} from './spatial-tiling.js';
import type { Tensor5d } from './temporal-tiling.js';

const ranges = (axis: { tiles: { start: number; end: number }[] }) => axis.tiles.map((t) => [t.start, t.end]);

/** A small tiling for fast tests: 32-pixel tiles every 24 (4 latents every 3, 8-pixel blend). */
const SMALL: SpatialTiling = { tileSampleMinHeight: 32, tileSampleMinWidth: 32, tileSampleStrideHeight: 24, tileSampleStrideWidth: 24, spatialCompression: 8 };

/** A fake decoder: nearest ×k upsampling of channel 0 into 3 channels, 4T − 3 frames (frame 0 repeated). */
function nearestDecoder(k: number, calls?: number[][]) {
  return async (x: Tensor5d): Promise<Tensor5d> => {
    const [b, , t, h, w] = x.dims;
    calls?.push([t, h, w]);
    const frames = 4 * t - 3;
    const H = h * k;
    const W = w * k;
    const out = new Float32Array(b * 3 * frames * H * W);
    for (let c = 0; c < 3; c++) for (let f = 0; f < frames; f++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
      const src = Math.floor((f + 3) / 4);
      out[((c * frames + f) * H + y) * W + xx] = x.data[(src * h + Math.floor(y / k)) * w + Math.floor(xx / k)]! + c;
    }
    return { data: out, dims: [b, 3, frames, H, W] };
  };
}

/** A fake decoder whose tiles are constant: the value of the tile's first input element. */
const constantDecoder = (k: number) => async (x: Tensor5d): Promise<Tensor5d> => {
  const [b, , t, h, w] = x.dims;
  return { data: new Float32Array(b * t * h * k * w * k).fill(x.data[0]!), dims: [b, 1, t, h * k, w * k] };
};

describe('spatial tile geometry (diffusers tiled_decode / tiled_encode)', () => {
  it('decodes the 640×608 bucket (80×76 latents) in 4×4 latent tiles of 32 every 24, keeping 192 px, blending 64', () => {
    const plan = decodeTilePlan(80, 76);
    expect(ranges(plan.rows)).toEqual([[0, 32], [24, 56], [48, 80], [72, 80]]);
    expect(ranges(plan.cols)).toEqual([[0, 32], [24, 56], [48, 76], [72, 76]]);
    expect([plan.rows.keep, plan.rows.blend, plan.rows.outputSize, plan.cols.outputSize]).toEqual([192, 64, 640, 608]);
  });

  it('encodes 640×608 pixels in tiles of 256 every 192, keeping 24 latents, blending 8', () => {
    const plan = encodeTilePlan(640, 608);
    expect(ranges(plan.rows)).toEqual([[0, 256], [192, 448], [384, 640], [576, 640]]);
    expect(ranges(plan.cols)).toEqual([[0, 256], [192, 448], [384, 608], [576, 608]]);
    expect([plan.cols.keep, plan.cols.blend, plan.rows.outputSize, plan.cols.outputSize]).toEqual([24, 8, 80, 76]);
  });

  it('tiles only above the tile size, as diffusers tests it (> tile_latent_min, > tile_sample_min)', () => {
    expect(decodeNeedsTiling(32, 32)).toBe(false);
    expect(decodeNeedsTiling(33, 8)).toBe(true);
    expect(decodeNeedsTiling(8, 33)).toBe(true);
    expect(encodeNeedsTiling(256, 256)).toBe(false);
    expect(encodeNeedsTiling(256, 264)).toBe(true);
  });

  it('refuses tilings that leave gaps or do not divide by the compression, and odd encoder sizes', () => {
    expect(() => decodeTilePlan(10, 10, { ...SMALL, tileSampleStrideHeight: 40 })).toThrow(/stride 5 exceeds the tile size 4/);
    expect(() => decodeTilePlan(10, 10, { ...SMALL, tileSampleMinWidth: 30 })).toThrow(/multiples of the compression 8, got 30/);
    expect(() => encodeTilePlan(100, 64, SMALL)).toThrow(/100×64 must be a multiple of 8/);
  });
});

describe('blends', () => {
  it('blend_v and blend_h ramp linearly over min(extent, sizes) and write into b', () => {
    const a: Tensor5d = { data: new Float32Array(6 * 2).fill(1), dims: [1, 1, 1, 6, 2] };
    const b: Tensor5d = { data: new Float32Array(3 * 2).fill(0), dims: [1, 1, 1, 3, 2] };
    blendRows(a, b, 4); // extent min(6, 3, 4) = 3: weights of a are 1, 2/3, 1/3
    expect(Array.from(b.data)).toEqual([1, 1, 2 / 3, 2 / 3, 1 / 3, 1 / 3].map(Math.fround));
    const c: Tensor5d = { data: Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]), dims: [1, 1, 1, 2, 4] };
    const d: Tensor5d = { data: new Float32Array(2 * 4).fill(100), dims: [1, 1, 1, 2, 4] };
    blendCols(c, d, 2); // d[x] = c[2 + x]·(1 − x/2) + d[x]·x/2
    expect(Array.from(d.data)).toEqual([2, 51.5, 100, 100, 12, 56.5, 100, 100]);
  });
});

describe('spatialTiledDecode', () => {
  it('reproduces a spatially local decoder exactly and visits the grid in row-major order', async () => {
    // Nearest upsampling is local, so each tile equals the untiled output on its area and every
    // blend mixes equal values: the stitched result equals the untiled decode.
    const dims: Tensor5d['dims'] = [1, 1, 2, 10, 7];
    const latents: Tensor5d = { data: Float32Array.from({ length: 140 }, (_, i) => Math.sin(i) * 3), dims };
    const calls: number[][] = [];
    const tiled = await spatialTiledDecode(latents, nearestDecoder(8, calls), SMALL);
    const whole = await nearestDecoder(8)(latents);
    expect(tiled.dims).toEqual(whole.dims);
    for (let i = 0; i < whole.data.length; i++) expect(tiled.data[i]).toBeCloseTo(whole.data[i]!, 5);
    // rows 0,3,6,9 (heights 4,4,4,1) × cols 0,3,6 (widths 4,4,1)
    expect(calls).toEqual([4, 4, 4, 1].flatMap((h) => [4, 4, 1].map((w) => [2, h, w])));
  });

  it('blends the tile above first, then the (blended) tile to the left, as diffusers does in place', async () => {
    // 7×7 latents: tiles of 4 at 0, 3 and 6 on each axis. Constant tiles A, B (top row), C, D (bottom row): check the blended corner of D.
    const h = 7, w = 7;
    const latents: Tensor5d = { data: new Float32Array(h * w), dims: [1, 1, 1, h, w] };
    const value = (r: number, c: number) => 1 + r * 10 + c; // tile (r, c) starts at latent (3r, 3c)
    for (const r of [0, 1, 2]) for (const c of [0, 1, 2]) latents.data[3 * r * w + 3 * c] = value(r, c);
    const out = await spatialTiledDecode(latents, constantDecoder(8), SMALL);
    const [A, B, C, D] = [value(0, 0), value(0, 1), value(1, 0), value(1, 1)];
    const e = 8;
    const at = (y: number, x: number) => out.data[y * 56 + x]!;
    for (const [y, x] of [[0, 3], [5, 1], [7, 7], [2, 6]] as [number, number][]) {
      const u = x / e, v = y / e;
      const t01 = A * (1 - u) + B * u; // tile (0,1)'s first columns after its blend_h
      const t10 = A * (1 - v) + C * v; // tile (1,0)'s first rows after its blend_v
      const expected = t10 * (1 - u) + (t01 * (1 - v) + D * v) * u;
      expect(at(24 + y, 24 + x)).toBeCloseTo(expected, 4);
    }
    // Away from the seams, a tile's own value.
    expect(at(30 + 8, 30 + 8)).toBeCloseTo(D, 5);
    expect(at(3, 3)).toBeCloseTo(A, 5);
  });

  it('decodes whole when the latents fit one tile', async () => {
    const calls: number[][] = [];
    await spatialTiledDecode({ data: new Float32Array(32 * 32), dims: [1, 1, 1, 32, 32] }, nearestDecoder(1, calls), OFFICIAL_SPATIAL_TILING);
    expect(calls).toEqual([[1, 32, 32]]);
  });

  it('names a decoder whose output does not match its input size', async () => {
    const bad = async (x: Tensor5d): Promise<Tensor5d> => ({ data: new Float32Array(x.dims[3] * 4 * x.dims[4] * 4), dims: [1, 1, 1, x.dims[3] * 4, x.dims[4] * 4] });
    await expect(spatialTiledDecode({ data: new Float32Array(70), dims: [1, 1, 1, 10, 7] }, bad, SMALL)).rejects.toThrow(/covered \d+ of 56 output columns/);
  });
});

describe('spatialTiledEncode and tiledVaeDecode', () => {
  it('encodes with pixel tiles and a latent-scale blend (8×8 mean pooling is local: tiled = untiled)', async () => {
    // A fake encoder that average-pools 8×8 blocks: local, so tiled equals untiled.
    const pool = async (x: Tensor5d): Promise<Tensor5d> => {
      const [b, c, t, H, W] = x.dims;
      const h = H / 8, w = W / 8;
      const out = new Float32Array(b * c * t * h * w);
      for (let p = 0; p < b * c * t; p++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
        out[(p * h + Math.floor(y / 8)) * w + Math.floor(xx / 8)]! += x.data[(p * H + y) * W + xx]! / 64;
      }
      return { data: out, dims: [b, c, t, h, w] };
    };
    const pixels: Tensor5d = { data: Float32Array.from({ length: 3 * 80 * 72 }, (_, i) => Math.cos(i / 7)), dims: [1, 3, 1, 80, 72] };
    const tiled = await spatialTiledEncode(pixels, pool, SMALL);
    const whole = await pool(pixels);
    expect(tiled.dims).toEqual([1, 3, 1, 10, 9]);
    for (let i = 0; i < whole.data.length; i++) expect(tiled.data[i]).toBeCloseTo(whole.data[i]!, 5);
  });

  it('runs the spatial tiling inside each temporal tile (7 latents: temporal tiles of 5 and 4)', async () => {
    const calls: number[][] = [];
    const latents: Tensor5d = { data: Float32Array.from({ length: 7 * 5 * 5 }, (_, i) => i % 11), dims: [1, 1, 7, 5, 5] };
    const out = await tiledVaeDecode(latents, nearestDecoder(8, calls), SMALL);
    expect(out.dims).toEqual([1, 3, 25, 40, 40]);
    expect(calls).toEqual([5, 4].flatMap((t) => [[t, 4, 4], [t, 4, 2], [t, 2, 4], [t, 2, 2]]));
    const untiled: number[][] = [];
    await tiledVaeDecode(latents, nearestDecoder(8, untiled), null);
    expect(untiled).toEqual([[5, 5, 5], [4, 5, 5]]);
  });
});
